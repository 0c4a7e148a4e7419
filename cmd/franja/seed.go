package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"franja/api"
	"franja/postgres"
	"franja/seed"
)

// seedCmd runs `franja seed [--dry-run]`: it loads the demo dataset (package
// seed) into the database: posts, then people, then leave, each file in one
// all-or-nothing transaction, and prints what each import did. Rows are keyed
// (code, external_id, external_ref), so a second run changes nothing.
//
// The files go through the API's own bulk-import handler, in process (no
// listener, a one-off admin token): the same parsing and checks as `franja
// import`, so the dataset is proven importable both ways.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("%w: franja seed [--dry-run]", errUsage)
	}
	store, closeStore, err := openAdminStore(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()
	token := rand.Text()
	handler := api.New(api.Config{
		// Per-request lines would drown the counts: warnings and errors only.
		Logger:     slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: slog.LevelWarn})),
		AdminToken: token,
		Store:      store,
		// An import taking a second is what seeding is: not a slow request.
		SlowRequest: 24 * time.Hour,
	})
	return seedAll(ctx, handler, token, *dryRun, stdout)
}

// seedAll imports each of the dataset's files in order. A dry run checks
// each file against the database as it is; a file whose rows refer to rows
// the previous file would create (people to new posts, leave to new people)
// cannot be checked before those exist, so the dry run stops there and says
// so.
func seedAll(ctx context.Context, h http.Handler, token string, dryRun bool, stdout io.Writer) error {
	for i, kind := range seed.Kinds {
		body, err := seed.CSV(kind)
		if err != nil {
			return err
		}
		res, err := seedImport(ctx, h, token, kind, body, dryRun, stdout)
		if err != nil {
			return err
		}
		if !dryRun {
			fmt.Fprintf(stdout, "%s: %d created, %d updated, %d unchanged\n", kind, res.Created, res.Updated, res.Unchanged)
			continue
		}
		fmt.Fprintf(stdout, "%s (dry run, nothing written): %d would be created, %d updated, %d unchanged\n", kind, res.Created, res.Updated, res.Unchanged)
		if res.Created > 0 && i+1 < len(seed.Kinds) {
			fmt.Fprintf(stdout, "%s: not checked: they refer to the %d %s a real run would create first\n", listWords(seed.Kinds[i+1:]), res.Created, kind)
			return nil
		}
	}
	return nil
}

// listWords joins words as a sentence does: "a", "a and b", "a, b and c".
func listWords(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// seedImport posts one file to the bulk import and returns its counts; a
// rejected file prints every bad row and fails.
func seedImport(ctx context.Context, h http.Handler, token, kind string, body []byte, dryRun bool, stdout io.Writer) (postgres.ImportResult, error) {
	var res postgres.ImportResult
	url := "/v1/imports/" + kind
	if dryRun {
		url += "?dry_run=true"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			return res, fmt.Errorf("seeding %s: unreadable answer: %w", kind, err)
		}
		return res, nil
	}
	var a importAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		return res, fmt.Errorf("seeding %s: the import answered %d: %s", kind, rec.Code, rec.Body.String())
	}
	for _, e := range a.Errors {
		fmt.Fprintf(stdout, "seed/%s.csv line %d: %s: %s\n", kind, e.Line, e.Field, e.Message)
	}
	return res, fmt.Errorf("%w: seeding %s (%d): %s", errImportRejected, kind, rec.Code, a.Detail)
}
