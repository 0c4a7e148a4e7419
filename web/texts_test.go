package web

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"franja/lang"
)

// TestPageTexts keeps pageTexts and the templates' {{.T "…"}} equal, so
// that every word a page says is in the catalogue, and every entry of
// pageTexts is said by a page.
func TestPageTexts(t *testing.T) {
	re := regexp.MustCompile(`\.T ("(?:[^"\\]|\\.)*")`)
	var inTemplates []string
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		b, _ := templateFS.ReadFile(n)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", n, m[1], err)
			}
			if !slices.Contains(inTemplates, s) {
				inTemplates = append(inTemplates, s)
			}
		}
	}
	var listed []string
	for _, x := range pageTexts {
		listed = append(listed, x.Format)
		if !slices.Contains(inTemplates, x.Format) {
			t.Errorf("pageTexts has %q, which no template says: remove it", x.Format)
		}
		if !lang.Translated(x.Format) {
			t.Errorf("%q has no Spanish in lang/es.go", x.Format)
		}
	}
	for _, s := range inTemplates {
		if !slices.Contains(listed, s) {
			t.Errorf("a template says %q, missing from pageTexts (texts.go)", s)
		}
	}
	if len(inTemplates) < 50 {
		t.Errorf("found only %d texts in the templates: the scan is broken", len(inTemplates))
	}
}

// TestLocal keeps the sign-in's "next" on this site.
func TestLocal(t *testing.T) {
	for in, want := range map[string]string{
		"/team": "/team", "/people/E1?week=2026-11-23": "/people/E1?week=2026-11-23", "": "/",
		"https://evil.example/": "/", "//evil.example/x": "/", "team": "/", "/\\evil.example": "/",
	} {
		if got := local(in); got != want {
			t.Errorf("local(%q) = %q, want %q", in, got, want)
		}
	}
}
