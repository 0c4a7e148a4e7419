package web

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"

	"franja/api"
	"franja/domain"
	"franja/postgres"
)

type personRow struct{ ID, Name, Email, Post, Supervisor string }

type postRow struct {
	Code, Name, City, Country, Zone string
	People                          int
}

// pageLimit is how many rows a browse page shows.
const pageLimit = 200

// hrPeople lists people, searched by name, employee number, email or post.
func (a *App) hrPeople(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	const sql = `SELECT external_id, full_name, email, post, coalesce(supervisor, '')
FROM people
WHERE $1 = '' OR full_name ILIKE '%' || $1 || '%' OR external_id ILIKE $1 || '%' OR email ILIKE '%' || $1 || '%' OR post = upper($1)
ORDER BY external_id LIMIT $2`
	rows, err := a.store.Pool().Query(r.Context(), sql, likeEscape(q), pageLimit+1)
	if err != nil {
		return postgres.Translate(err)
	}
	defer rows.Close()
	var out []personRow
	for rows.Next() {
		var p personRow
		if err := rows.Scan(&p.ID, &p.Name, &p.Email, &p.Post, &p.Supervisor); err != nil {
			return postgres.Translate(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return postgres.Translate(err)
	}
	more := len(out) > pageLimit
	if more {
		out = out[:pageLimit]
	}
	return a.render(w, r, http.StatusOK, "hr_people", map[string]any{"Q": q, "People": out, "More": more})
}

// hrPosts lists posts, searched by code, name, city or country.
func (a *App) hrPosts(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	const sql = `SELECT p.code, p.name, coalesce(p.city, ''), p.country, p.time_zone,
  (SELECT count(*) FROM people WHERE people.post = p.code)
FROM posts p
WHERE $1 = '' OR p.code ILIKE $1 || '%' OR p.name ILIKE '%' || $1 || '%' OR p.city ILIKE '%' || $1 || '%' OR p.country = upper($1)
ORDER BY p.code LIMIT $2`
	rows, err := a.store.Pool().Query(r.Context(), sql, likeEscape(q), pageLimit)
	if err != nil {
		return postgres.Translate(err)
	}
	defer rows.Close()
	var out []postRow
	for rows.Next() {
		var p postRow
		if err := rows.Scan(&p.Code, &p.Name, &p.City, &p.Country, &p.Zone, &p.People); err != nil {
			return postgres.Translate(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return postgres.Translate(err)
	}
	return a.render(w, r, http.StatusOK, "hr_posts", map[string]any{"Q": q, "Posts": out})
}

// likeEscape keeps a search's % and _ literal.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

var importKindNames = map[string]domain.Text{
	"people": domain.T("People"), "leaves": domain.T("Leave"), "posts": domain.T("Posts"), "on-call-turns": domain.T("On-call turns"),
}

func (a *App) importForm(w http.ResponseWriter, r *http.Request) error {
	return a.showImport(w, r, http.StatusOK, "people", true, nil, nil)
}

func (a *App) showImport(w http.ResponseWriter, r *http.Request, status int, kind string, dryRun bool, res *postgres.ImportResult, problem error) error {
	l := langOf(r)
	var kinds []option
	for _, k := range api.ImportKinds {
		kinds = append(kinds, option{k, l.Text(importKindNames[k])})
	}
	return a.render(w, r, status, "import", map[string]any{"Kinds": kinds, "Kind": kind, "DryRun": dryRun, "Result": res,
		"Problem": a.problemOf(r, problem)})
}

// upload runs an uploaded file through api.RunImport, the code of POST
// /v1/imports/{kind}: every bad row listed by line and field, nothing
// written unless all are right, and with dry run nothing written at all.
func (a *App) upload(w http.ResponseWriter, r *http.Request) error {
	kind := r.FormValue("kind")
	dryRun := r.FormValue("dry_run") == "true"
	file, header, err := r.FormFile("file")
	if err != nil {
		return a.showImport(w, r, http.StatusUnprocessableEntity, kind, dryRun, nil,
			domain.Invalid("no file was sent", domain.FieldErrorf("file", "choose a .csv, .json or .xlsx file")))
	}
	defer file.Close()
	var ct string
	switch strings.ToLower(filepath.Ext(header.Filename)) {
	case ".csv":
		ct = "text/csv"
	case ".json":
		ct = "application/json"
	case ".xlsx":
		ct = api.XLSXType
	default:
		return a.showImport(w, r, http.StatusUnprocessableEntity, kind, dryRun, nil,
			domain.Invalid("the file is not one Franja reads", domain.FieldErrorf("file", "%s: name the file .csv, .json or .xlsx", header.Filename)))
	}
	res, err := api.RunImport(r.Context(), a.store, kind, ct, file, dryRun)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && api.Status(de.Code) < 500 {
			return a.showImport(w, r, api.Status(de.Code), kind, dryRun, nil, err)
		}
		return err
	}
	a.log.Info("web import", "kind", kind, "dry_run", dryRun, "created", res.Created, "updated", res.Updated, "subject", sessionOf(r).Subject)
	return a.showImport(w, r, http.StatusOK, kind, dryRun, &res, nil)
}
