package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"franja/api"
)

// importOptions is a parsed `franja import` command line.
type importOptions struct {
	kind, file, server, token string
	dryRun                    bool
}

// importCmd runs `franja import posts|people|leaves|on-call-turns FILE`: it streams the
// file to the API's bulk import, with a progress bar on a terminal, then
// prints the counts, or every bad row, and fails when any row is bad.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	opts, err := parseImportArgs(args, getenv)
	if err != nil {
		return err
	}
	f, err := os.Open(opts.file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	body, done := uploadProgress(f, info.Size(), filepath.Base(opts.file), stdout)
	req, err := importRequest(ctx, opts, body, info.Size())
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 15 * time.Minute}
	resp, err := client.Do(req)
	done()
	if err != nil {
		return fmt.Errorf("sending %s to %s: %w", opts.file, opts.server, err)
	}
	defer resp.Body.Close()
	return printImportAnswer(resp, opts, stdout)
}

// importKinds are the kinds of file `franja import` sends.
var importKinds = []string{"posts", "people", "leaves", "on-call-turns"}

// parseImportArgs reads KIND FILE and the flags, in any order.
func parseImportArgs(args []string, getenv func(string) string) (importOptions, error) {
	opts := importOptions{server: getenv("FRANJA_SERVER"), token: getenv("FRANJA_TOKEN")}
	if opts.server == "" {
		opts.server = "http://localhost:8080"
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opts.server, "server", opts.server, "the API's base URL")
	fs.StringVar(&opts.token, "token", opts.token, "bearer token (hr or admin); - reads it from standard input")
	tokenFile := fs.String("token-file", "", "a file holding the bearer token")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "validate only; write nothing")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return opts, fmt.Errorf("%w: franja import: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 2 {
		return opts, fmt.Errorf("%w: franja import posts|people|leaves|on-call-turns FILE [--server URL] [--token-file F | --token -] [--dry-run]", errUsage)
	}
	opts.kind, opts.file = pos[0], pos[1]
	if !slices.Contains(importKinds, opts.kind) {
		return opts, fmt.Errorf("%w: franja import: %q is not posts, people, leaves or on-call-turns", errUsage, opts.kind)
	}
	var err error
	if opts.token, err = readToken(opts.token, *tokenFile); err != nil {
		return opts, err
	}
	if opts.token == "" {
		return opts, fmt.Errorf("%w: franja import: give an API key in FRANJA_TOKEN, with --token-file F, or on standard input with --token -", errUsage)
	}
	return opts, nil
}

// importStdin is where --token - reads the token (a variable for tests).
var importStdin io.Reader = os.Stdin

// readToken resolves the token: from the file, when given; from standard
// input when the token is "-"; else as it is (FRANJA_TOKEN, or --token T,
// which shows in the process list: kept for scripts, not advised). A file
// or input holds the token on its first line; surrounding space is
// dropped.
func readToken(token, file string) (string, error) {
	var src io.Reader
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("%w: franja import: --token-file: %v", errUsage, err)
		}
		defer f.Close()
		src = f
	case token == "-":
		src = importStdin
	default:
		return token, nil
	}
	line, err := bufio.NewReader(io.LimitReader(src, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the token: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// contentType picks the body's type from the file's extension.
func contentType(file string) (string, error) {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return "text/csv; charset=utf-8", nil
	case ".json":
		return "application/json", nil
	case ".xlsx":
		return api.XLSXType, nil
	}
	return "", fmt.Errorf("%w: franja import: %s: name the file .csv, .json or .xlsx", errUsage, file)
}

func importRequest(ctx context.Context, opts importOptions, body io.Reader, size int64) (*http.Request, error) {
	ct, err := contentType(opts.file)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(strings.TrimRight(opts.server, "/") + "/v1/imports/" + opts.kind)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: franja import: --server %q is not an http(s) URL", errUsage, opts.server)
	}
	if opts.dryRun {
		u.RawQuery = "dry_run=true"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+opts.token)
	req.Header.Set("Accept-Language", "en")
	return req, nil
}

// uploadProgress wraps r in a progress bar when stdout is a terminal; done
// clears it. Elsewhere (a pipe, a log) it prints one plain line.
func uploadProgress(r io.Reader, size int64, name string, stdout io.Writer) (io.Reader, func()) {
	f, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stdout, "uploading %s (%d bytes)\n", name, size)
		return r, func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(stdout),
		progressbar.OptionSetDescription("uploading "+name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
	pr := progressbar.NewReader(r, bar)
	return &pr, func() {
		_ = bar.Finish()
		fmt.Fprintf(stdout, "uploaded %s; waiting for the server\n", name)
	}
}

// importAnswer is the union of the success body and the problem body.
type importAnswer struct {
	DryRun    bool   `json:"dry_run"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	Errors    []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// errImportRejected reports that the server refused the file.
var errImportRejected = errors.New("import rejected")

func printImportAnswer(resp *http.Response, opts importOptions, stdout io.Writer) error {
	var a importAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return fmt.Errorf("the server answered %s with an unreadable body: %w", resp.Status, err)
	}
	if resp.StatusCode == http.StatusOK {
		what := "imported"
		if a.DryRun {
			what = "dry run (nothing written)"
		}
		fmt.Fprintf(stdout, "%s %s: %d created, %d updated, %d unchanged\n", opts.kind, what, a.Created, a.Updated, a.Unchanged)
		return nil
	}
	for _, e := range a.Errors {
		if e.Line > 0 {
			fmt.Fprintf(stdout, "line %d: %s: %s\n", e.Line, e.Field, e.Message)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", e.Field, e.Message)
		}
	}
	return fmt.Errorf("%w (%s): %s", errImportRejected, resp.Status, a.Detail)
}
