package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/view"
)

// checkItem is one question in a batch, as sent.
type checkItem struct {
	Person           string  `json:"person"`
	At               *string `json:"at"`
	Channel          string  `json:"channel"`
	Purpose          string  `json:"purpose"`
	OfficialDocument bool    `json:"official_document"`
	Requester        string  `json:"requester"`
	Justification    string  `json:"justification"`
	Duration         string  `json:"duration"`
}

// checkResult is one answer in a batch: a decision, or the problem with
// that item.
type checkResult struct {
	*decisionJSON
	Error *Problem `json:"error,omitempty"`
}

// MarshalJSON writes the decision's fields, or {"error": …}.
func (c checkResult) MarshalJSON() ([]byte, error) {
	if c.Error != nil {
		return json.Marshal(struct {
			Outcome string   `json:"outcome"`
			Error   *Problem `json:"error"`
		}{"error", c.Error})
	}
	return json.Marshal(c.decisionJSON)
}

// contactChecks answers POST /v1/contact-checks: up to 10,000 questions,
// each answered in place and in order; a bad item is reported where it
// stands and the rest are answered.
func (s *Server) contactChecks(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot()
	if err != nil {
		writeError(w, r, err)
		return
	}
	var body struct {
		Checks []json.RawMessage `json:"checks"`
	}
	raw, err := readJSONText(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	var ok bool
	if body.Checks, ok = splitChecks(raw); !ok { // else raw passed jsontext's checks
		body.Checks = nil
		if err := strictJSON(raw); err != nil {
			writeError(w, r, err)
			return
		}
		if err := decodeBody(raw, &body); err != nil {
			writeError(w, r, err)
			return
		}
	}
	switch n := len(body.Checks); {
	case body.Checks == nil:
		writeError(w, r, domain.Invalid("the body needs a list of checks", domain.FieldError{Field: "checks", Message: `is required: {"checks":[{"person":"E1001"}]}`}))
		return
	case n > maxChecks:
		writeError(w, r, domain.Invalid("too many checks", domain.FieldError{Field: "checks", Message: "holds at most 10000 checks; send several requests"}))
		return
	}
	if s.chargeItems(w, r, len(body.Checks)) {
		return
	}
	p, lang, now := principalOf(r.Context()), policyLang(r), s.now()
	results := make([]checkResult, len(body.Checks))     // the bad items' problems
	answered := make([]*decide.Answer, len(body.Checks)) // nil where the item is bad
	// Items are independent reads of one snapshot: parsed, decided and
	// rendered on every core (see inParallel); only the audit rows are
	// written in one go, in order.
	inParallel(len(body.Checks), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a, err := s.checkOne(snap, p, body.Checks[i], now)
			if err != nil {
				results[i] = checkResult{Error: itemProblem(r, err)}
				continue
			}
			answered[i] = a
		}
	})
	answers := make([]*decide.Answer, 0, len(answered))
	for _, a := range answered {
		if a != nil {
			answers = append(answers, a)
		}
	}
	if n := exceptions(answers); n > MaxBatchExceptions {
		writeError(w, r, domain.Invalid("too many contacts by exception in one batch; nothing was recorded", domain.FieldError{Field: "checks",
			Message: "%d checks would be let through by an exception (each one an audit record); a batch may hold at most %d: send them in smaller batches",
			Args:    []any{n, MaxBatchExceptions}}))
		return
	}
	if err := s.decide.Record(r.Context(), p, requestID(r.Context()), answers...); err != nil {
		writeError(w, r, err) // no audit rows, no exceptions
		return
	}
	// Each range is rendered into a pooled buffer, and the buffers are
	// written in order: no copy of the whole answer (half a megabyte for
	// 1,000 checks) is made, nor kept between batches.
	parts := make([]*[]byte, len(body.Checks)/minParallel+1)
	inParallel(len(body.Checks), func(lo, hi int) {
		buf := batchBuffers.Get().(*[]byte)
		b := (*buf)[:0]
		for i := lo; i < hi; i++ {
			if i > lo {
				b = append(b, ',')
			}
			if a := answered[i]; a != nil {
				d := renderAnswer(a, lang, s.disclosureFor(p, a.Question.At))
				d.Outcome = "decision"
				b = d.appendJSON(b)
			} else {
				b = appendItems(b, results[i:i+1])
			}
		}
		*buf = b
		parts[lo/minParallel] = buf
	})
	s.countDecisions(p, answered)
	bodies := make([][]byte, len(parts))
	for i, buf := range parts {
		if buf != nil {
			bodies[i] = *buf
		}
	}
	writeResults(w, bodies...)
	for _, buf := range parts {
		if buf != nil && cap(*buf) <= 1<<20 {
			batchBuffers.Put(buf)
		}
	}
}

// writeResults answers {"results":[…]} from parts, each a run of items
// already separated by commas (empty ones skipped), with the bytes and
// headers writeJSON gave map{"results": items}: written part by part, so
// no copy of the whole answer is made.
func writeResults(w http.ResponseWriter, parts ...[]byte) {
	startJSON(w, http.StatusOK)
	_, _ = io.WriteString(w, `{"results":[`)
	first := true
	for _, part := range parts {
		if len(part) == 0 {
			continue
		}
		if !first {
			_, _ = io.WriteString(w, ",")
		}
		first = false
		_, _ = w.Write(part)
	}
	_, _ = io.WriteString(w, "]}\n")
}

// batchBuffers hold a batch's rendered ranges (minParallel answers each,
// about 70 KB) between batches.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 768*minParallel); return &b }}

// minParallel is the fewest batch items worth a goroutine of their own:
// ranges given to inParallel's workers are multiples of it.
const minParallel = 128

// inParallel calls fn over [0, n) split into ranges of whole multiples of
// minParallel (the last may be shorter), on up to GOMAXPROCS goroutines at
// once, and returns when all are done. Each range is [lo, hi) with lo a
// multiple of minParallel, so lo/minParallel numbers it.
func inParallel(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+minParallel-1)/minParallel)
	if workers <= 1 {
		for lo := 0; lo < n; lo += minParallel {
			fn(lo, min(lo+minParallel, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(minParallel)) - minParallel
				if lo >= n {
					return
				}
				fn(lo, min(lo+minParallel, n))
			}
		})
	}
	wg.Wait()
}

// MaxBatchExceptions is the most answers of one batch that an exception
// lets through: each is an audit record, the evidence of the monthly
// report, so a batch may not flood it.
const MaxBatchExceptions = 100

// exceptions counts the answers an exception lets through, delegates'
// included.
func exceptions(answers []*decide.Answer) int {
	n := 0
	for _, a := range answers {
		if a.Decision.ByException {
			n++
		}
		if a.Delegate != nil && a.Delegate.Decision.ByException {
			n++
		}
	}
	return n
}

// appendItems appends results separated by commas, as encoding/json
// would marshal them (see decision_json.go); an item's error, rare, goes
// through encoding/json itself.
func appendItems(b []byte, results []checkResult) []byte {
	for i, res := range results {
		if i > 0 {
			b = append(b, ',')
		}
		if res.Error != nil {
			enc, err := res.MarshalJSON()
			if err != nil {
				enc = []byte("null") // cannot happen: a Problem always marshals
			}
			b = append(b, enc...)
			continue
		}
		b = res.decisionJSON.appendJSON(b)
	}
	return b
}

// checkOne parses, validates and decides one batch item (its exceptions
// are recorded with the whole batch's).
func (s *Server) checkOne(snap *view.Snapshot, p *Principal, raw json.RawMessage, now time.Time) (*decide.Answer, error) {
	var it checkItem
	if !parseCheckItem(raw, &it) {
		it = checkItem{}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it); err != nil {
			return nil, jsonError(err)
		}
	}
	var v domain.Validator
	in := decide.Question{Person: it.Person, At: now, OfficialDocument: it.OfficialDocument,
		Requester: it.Requester, Justification: it.Justification, Horizon: engine.DefaultHorizon}
	if it.Person == "" {
		v.Add("person", "is required: the person's external_id")
	}
	if it.At != nil {
		t, err := parseInstant(*it.At)
		if err != nil {
			v.Add("at", "%s", err)
		}
		in.At = t
	}
	in.Channel = enumValue(&v, "channel", it.Channel, policy.Email, policy.Channels)
	in.Purpose = enumValue(&v, "purpose", it.Purpose, policy.Routine, policy.Purposes)
	in.Duration = policy.DefaultDuration(in.Channel)
	if it.Duration != "" {
		in.Duration = bodyDuration(&v, "duration", it.Duration, 0, 0, maxContactDuration)
	}
	decide.Validate(&v, p, &in, snap)
	if err := v.Err("this check is not valid"); err != nil {
		return nil, err
	}
	person, err := decide.Scope(snap, p, in.Person)
	if err != nil {
		return nil, err
	}
	return s.decide.Decide(snap, p, person, in), nil
}

// enumValue checks s against all; def when s is empty.
func enumValue[T ~string](v *domain.Validator, field, s string, def T, all []T) T {
	if s == "" {
		return def
	}
	for _, a := range all {
		if string(a) == s {
			return a
		}
	}
	v.Add(field, "%q is not one of %v", s, all)
	return def
}

// itemProblem renders an item's error like a response's problem.
func itemProblem(r *http.Request, err error) *Problem {
	p := problemOf(r, err)
	p.Instance, p.RequestID = "", ""
	return &p
}
