package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"franja/domain"
	"franja/postgres"
)

// Fuzz targets of the import parsers (issue 17): any body gives rows or a
// client error, never a panic or another error, and what it costs is
// bounded by the body: at most postgres.MaxImportErrors problems kept,
// never more rows than lines, a 422's body at most a small multiple of the
// input, and allocations at most a constant plus a multiple of the input.
// The store is not involved (the HTTP fuzz targets in fuzz_test.go drive
// the whole import); these run in a fraction of a millisecond per input.

var fuzzKinds = []*importKind{importPosts, importPeople, importLeaves, importTurns}

// allocatedBytes is how many bytes f allocates.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// checkParsed checks one parse of in against the bounds.
func checkParsed(t *testing.T, in []byte, sink *importSink, err error, allocated uint64) {
	t.Helper()
	var de *domain.Error
	switch {
	case err == nil:
	case !errors.As(err, &de):
		t.Fatalf("not a client error: %v", err)
	case de.Code != domain.EInvalid && de.Code != domain.EMalformed && de.Code != domain.ETooLarge:
		t.Fatalf("error code %s: %v", de.Code, err)
	}
	if len(sink.errs) > postgres.MaxImportErrors {
		t.Errorf("%d problems kept; at most %d", len(sink.errs), postgres.MaxImportErrors)
	}
	if sink.rows > len(in) { // a row takes at least one byte and its separator
		t.Errorf("%d rows from %d bytes", sink.rows, len(in))
	}
	problem, _ := json.Marshal(importProblem(sink.errs, sink.omitted, sink.rows).(*domain.Error).Fields)
	if limit := 32<<10 + 8*len(in); len(problem) > limit {
		t.Errorf("%d input bytes make a 422 listing %d bytes (limit %d)", len(in), len(problem), limit)
	}
	// Generous: the race detector and the tests running beside this one
	// allocate too (TotalAlloc is the process's); an amplification bug is
	// orders of magnitude above it.
	if limit := 8<<20 + 256*uint64(len(in)); allocated > limit {
		t.Errorf("%d input bytes allocated %d bytes (limit %d)", len(in), allocated, limit)
	}
}

// fuzzParse runs read over in as kind k (chosen by pick), twice: the first
// run loads what the checks load once per process (the holiday data set,
// 260,000 rows), the second is measured.
func fuzzParse(t *testing.T, read importRead, pick uint8, in []byte) {
	k := fuzzKinds[int(pick)%len(fuzzKinds)]
	_ = read(bytes.NewReader(in), k, &importSink{ctx: context.Background(), batch: k.batch(k)})
	sink := &importSink{ctx: context.Background(), batch: k.batch(k)}
	var err error
	allocated := allocatedBytes(func() { err = read(bytes.NewReader(in), k, sink) })
	checkParsed(t, in, sink, err, allocated)
}

func FuzzImportCSVParser(f *testing.F) {
	for _, s := range []string{
		impPostsCSV, impPeopleCSV, impLeavesCSV,
		"post,person,starts_at,ends_at,external_ref\nBOG,E1,2026-03-02T08:00:00-05:00,2026-03-02T20:00:00-05:00,T1\n",
		"\xef\xbb\xbfperson,kind,external_ref\nE1,vacation,\"LV\n1\"\n",
		"person,kind,external_ref\n" + strings.Repeat("x\n", 20_000), // ragged rows, as the file
		"person,kind,external_ref\n" + strings.Repeat("E1,nope,R\n", 5_000),
		"person,person\n", "a,\"b\n", "", "\x00\xff,\n",
	} {
		for pick := range uint8(len(fuzzKinds)) {
			f.Add(pick, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, in []byte) { fuzzParse(t, readCSV, pick, in) })
}

func FuzzImportJSONParser(f *testing.F) {
	for _, s := range []string{
		impPostsJSON, impPeopleJSON, impLeavesJSON,
		"[" + strings.Repeat("1,", 20_000) + "1]",
		"[" + strings.Repeat(`{"person":"E1","kind":"nope","external_ref":"R"},`, 2_000) + "{}]",
		`[{"a":1,"a":2}]`, `[{"schedule":{"mon":["25:00-26:00"]}}]`, `{}`, `[`, "", `["\ud800"]`, "[]  []",
	} {
		for pick := range uint8(len(fuzzKinds)) {
			f.Add(pick, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, in []byte) { fuzzParse(t, readJSON, pick, in) })
}
