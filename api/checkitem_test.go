package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"
)

// decodeV1 is how checkOne read every item before parseCheckItem.
func decodeV1(raw []byte) (checkItem, error) {
	var it checkItem
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&it)
	return it, err
}

var checkItemSeeds = []string{
	`{"person":"E1001","at":"2026-11-27T09:00:00-05:00"}`,
	`{"person":"E1","at":"2026-01-01T00:00:00Z","channel":"phone","purpose":"urgent","official_document":true,"requester":"S1","justification":"the embassy is closed","duration":"PT15M"}`,
	` { "person" : "E1" , "official_document" : false , "at" : null }` + "\n",
	`{}`,
	`{"person":"E\u00e91"}`,          // an escape: encoding/json's
	`{"Person":"E1"}`,                // another case: encoding/json matches it
	`{"person":5}`,                   // the wrong type
	`{"person":"E1","colour":"red"}`, // unknown
	`{"official_document":"yes"}`,
	`{"person":null}`,
	`{"person":"E1"} {"person":"E2"}`,
	`{"person":"E1",}`,
	`["person"]`,
	`{"person":"días"}`,
}

// TestParseCheckItemAgreesWithEncodingJSON: whatever the fast path accepts,
// encoding/json accepts too, with the same fields; the usual shapes take
// the fast path.
func TestParseCheckItemAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range checkItemSeeds {
		agree(t, []byte(s))
	}
	for _, s := range checkItemSeeds[:4] {
		var it checkItem
		if !parseCheckItem([]byte(s), &it) {
			t.Errorf("%s: not read by the fast path", s)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50_000 {
		agree(t, mutate(rng, checkItemSeeds))
	}
}

// mutate is one of seeds with a byte changed (to one that matters to
// JSON), dropped or doubled.
func mutate(rng *rand.Rand, seeds []string) []byte {
	b := []byte(seeds[rng.IntN(len(seeds))])
	i := rng.IntN(len(b))
	switch rng.IntN(3) {
	case 0:
		const alphabet = `{}[]:,"\ 0a-tfnulPC`
		b[i] = alphabet[rng.IntN(len(alphabet))]
	case 1:
		b = append(b[:i], b[i+1:]...)
	default:
		b = append(b[:i+1], b[i:]...)
	}
	return b
}

func FuzzParseCheckItem(f *testing.F) {
	for _, s := range checkItemSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}

func agree(t *testing.T, raw []byte) {
	t.Helper()
	if !utf8.Valid(raw) || strictJSON(raw) != nil {
		return // decodeJSON refuses the whole body before any item is read
	}
	var fast checkItem
	if !parseCheckItem(raw, &fast) {
		return
	}
	slow, err := decodeV1(raw)
	if err != nil {
		t.Fatalf("%q: the fast path read it, encoding/json refuses it: %v", raw, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: fast path %+v, encoding/json %+v", raw, fast, slow)
	}
}

var checkBodySeeds = []string{
	`{"checks":[{"person":"E1"},{"person":"E2","at":"2026-01-01T00:00:00Z"}]}`,
	" {\n \"checks\" : [ {\"person\":\"E1\"} , [1, 2], \"x\", 3, null ] }\n",
	`{"checks":[]}`,
	`{"checks":null}`,
	`{"Checks":[{"person":"E1"}]}`,
	`{"checks":[{"person":"E1"}],"other":1}`,
	`{"checks":[{"person":"E1"}]} {}`,
	`{"checks":{}}`,
	`{}`,
	`[]`,
	`{"checks":[{"person":"E1","person":"E2"}]}`, // a name twice: strictJSON's
	`{"checks":[{"person":"\ud800"}]}`,           // a lone surrogate: strictJSON's
}

// TestSplitChecksAgreesWithEncodingJSON: whatever body splitChecks reads,
// encoding/json reads into the same items, byte for byte.
func TestSplitChecksAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range checkBodySeeds {
		agreeSplit(t, []byte(s))
	}
	for _, s := range checkBodySeeds[:3] {
		if _, ok := splitChecks([]byte(s)); !ok {
			t.Errorf("%s: not read by the fast path", s)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 50_000 {
		agreeSplit(t, mutate(rng, checkBodySeeds))
	}
}

func agreeSplit(t *testing.T, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		return
	}
	fast, ok := splitChecks(body)
	if !ok {
		return
	}
	if err := strictJSON(body); err != nil {
		t.Fatalf("%q: the fast path read a body strictJSON refuses: %v", body, err)
	}
	var slow struct {
		Checks []json.RawMessage `json:"checks"`
	}
	if err := decodeBody(body, &slow); err != nil {
		t.Fatalf("%q: the fast path read it, encoding/json refuses it: %v", body, err)
	}
	if len(fast) != len(slow.Checks) || (fast == nil) != (slow.Checks == nil) {
		t.Fatalf("%q: fast path %q, encoding/json %q", body, fast, slow.Checks)
	}
	for i := range fast {
		if !bytes.Equal(fast[i], slow.Checks[i]) {
			t.Fatalf("%q: item %d: fast path %q, encoding/json %q", body, i, fast[i], slow.Checks[i])
		}
	}
}
