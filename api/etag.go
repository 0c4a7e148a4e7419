package api

import (
	"net/http"
	"strconv"
	"strings"

	"franja/domain"
	"franja/postgres"
)

// etag returns the strong entity tag of a stored version, e.g. "3". Every
// write bumps the version, so equal tags mean equal representations.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// neverMatches is a version no row ever has: the store answers a write
// conditioned on it with precondition_failed (or not_found).
const neverMatches int64 = -1

// precondition is a parsed If-Match header (RFC 9110 §13.1.1).
type precondition struct {
	present  bool
	any      bool    // If-Match: *
	versions []int64 // the versions named by strong tags this API could have issued
}

// parseIfMatch reads If-Match. Weak tags (W/"3") never match: If-Match uses
// the strong comparison. A tag this API cannot have issued ("abc") is kept
// as a non-match; a header that is not a list of entity tags is malformed.
func parseIfMatch(r *http.Request) (precondition, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return precondition{}, nil
	}
	p := precondition{present: true}
	for _, part := range strings.Split(strings.Join(values, ","), ",") {
		tag := strings.TrimSpace(part)
		switch {
		case tag == "":
			continue
		case tag == "*":
			p.any = true
		case strings.HasPrefix(tag, `W/"`) && strings.HasSuffix(tag, `"`) && len(tag) >= 4:
			// weak: cannot match
		case len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"':
			if v, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 64); err == nil && v > 0 {
				p.versions = append(p.versions, v)
			}
		default:
			return precondition{}, &domain.Error{Code: domain.EMalformed,
				Message: `If-Match must hold the entity tag from the ETag header, quotes included, e.g. If-Match: "3"`,
				Fields:  []domain.FieldError{domain.FieldErrorf("If-Match", "not an entity tag: %q", clip(tag, 40))}}
		}
	}
	return p, nil
}

// requirePrecondition is the precondition_required answer to a write that
// must say which version it changes.
func requirePrecondition(what domain.Text, getPath string) error {
	return domain.Errorf(domain.EPreconditionNeeded,
		"send If-Match with the current ETag of %s (from GET %s), so that two people editing at once cannot overwrite each other's changes", what, getPath)
}

// version resolves the precondition to the one version the store checks
// atomically: AnyVersion when If-Match is absent or *, the version named
// when there is one, else (a list) the current version if the list names it.
// current reads the stored version; it is only called for a list.
func (p precondition) version(current func() (int64, error)) (int64, error) {
	switch {
	case !p.present || p.any:
		return postgres.AnyVersion, nil
	case len(p.versions) == 0:
		return neverMatches, nil
	case len(p.versions) == 1:
		return p.versions[0], nil
	}
	v, err := current()
	if err != nil {
		return 0, err
	}
	for _, want := range p.versions {
		if want == v {
			return v, nil
		}
	}
	return neverMatches, nil
}

// deleteIfMatch answers a DELETE under If-Match (absent: whatever the
// version): current reads the stored version (only for a list of tags), del
// deletes if the version is still the one named; 204 when done.
func deleteIfMatch(w http.ResponseWriter, r *http.Request, current func() (int64, error), del func(version int64) error) error {
	pc, err := parseIfMatch(r)
	if err != nil {
		return err
	}
	version, err := pc.version(current)
	if err == nil {
		err = del(version)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// clip shortens s to at most n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
