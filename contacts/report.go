package contacts

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Counts are a report line's numbers: contacts attempted, those at an
// instant outside the person's allowed time, and those an exception let
// through.
type Counts struct {
	Attempts       int `json:"attempts"`
	OutsideAllowed int `json:"outside_allowed"`
	Exceptions     int `json:"exceptions"`
}

func (c *Counts) add(o Counts) {
	c.Attempts += o.Attempts
	c.OutsideAllowed += o.OutsideAllowed
	c.Exceptions += o.Exceptions
}

// RequesterLine, PairLine and PostLine are the report's lines.
type (
	RequesterLine struct {
		Requester string `json:"requester"`
		Counts
		Flagged bool `json:"flagged"`
	}
	PairLine struct {
		Requester string `json:"requester"`
		Person    string `json:"person"`
		Counts
		Flagged bool `json:"flagged"`
	}
	PostLine struct {
		Post string `json:"post"`
		Counts
	}
)

// Report is a month of contacts, by the contact's instant in Bogotá months.
type Report struct {
	From, To    time.Time
	Threshold   int
	Total       Counts
	ByRequester []RequesterLine
	ByPair      []PairLine
	ByPost      []PostLine
	// Flagged is set when any requester or pair is flagged.
	Flagged bool
}

// bogota is where the ministry reads the report: months are its months.
var bogota = func() *time.Location {
	loc, err := time.LoadLocation("America/Bogota")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}()

// MonthReport counts the contacts made in month (a Bogotá month), per
// requester, per requester→person pair and per post, flagging requesters
// and pairs with more contacts outside allowed time than threshold:
// persistent out-of-hours contact can amount to workplace harassment (Ley
// 1010 de 2006), and the pair is where it shows.
func (s *Service) MonthReport(ctx context.Context, year int, month time.Month, threshold int) (*Report, error) {
	from := time.Date(year, month, 1, 0, 0, 0, 0, bogota)
	rep := &Report{From: from, To: from.AddDate(0, 1, 0), Threshold: threshold,
		ByRequester: []RequesterLine{}, ByPair: []PairLine{}, ByPost: []PostLine{}}
	rows, err := s.store.CountContacts(ctx, rep.From, rep.To)
	if err != nil {
		return nil, err
	}
	requesters, posts, pairs := map[string]*Counts{}, map[string]*Counts{}, map[[2]string]*Counts{}
	for _, r := range rows {
		c := Counts{r.Attempts, r.OutsideAllowed, r.Exceptions}
		rep.Total.add(c)
		get(requesters, r.Requester).add(c)
		get(posts, r.Post).add(c)
		get(pairs, [2]string{r.Requester, r.Person}).add(c)
	}
	for k, c := range requesters {
		f := c.OutsideAllowed > threshold
		rep.ByRequester = append(rep.ByRequester, RequesterLine{Requester: k, Counts: *c, Flagged: f})
		rep.Flagged = rep.Flagged || f
	}
	for k, c := range pairs {
		f := c.OutsideAllowed > threshold
		rep.ByPair = append(rep.ByPair, PairLine{Requester: k[0], Person: k[1], Counts: *c, Flagged: f})
		rep.Flagged = rep.Flagged || f
	}
	for k, c := range posts {
		rep.ByPost = append(rep.ByPost, PostLine{Post: k, Counts: *c})
	}
	// Most out-of-hours first, then most attempts, then by name.
	order := func(a, b Counts) int {
		return cmp.Or(cmp.Compare(b.OutsideAllowed, a.OutsideAllowed), cmp.Compare(b.Attempts, a.Attempts))
	}
	slices.SortFunc(rep.ByRequester, func(a, b RequesterLine) int {
		return cmp.Or(order(a.Counts, b.Counts), cmp.Compare(a.Requester, b.Requester))
	})
	slices.SortFunc(rep.ByPair, func(a, b PairLine) int {
		return cmp.Or(order(a.Counts, b.Counts), cmp.Compare(a.Requester, b.Requester), cmp.Compare(a.Person, b.Person))
	})
	slices.SortFunc(rep.ByPost, func(a, b PostLine) int { return cmp.Or(order(a.Counts, b.Counts), cmp.Compare(a.Post, b.Post)) })
	return rep, nil
}

func get[K comparable](m map[K]*Counts, k K) *Counts {
	c := m[k]
	if c == nil {
		c = &Counts{}
		m[k] = c
	}
	return c
}
