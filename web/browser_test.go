package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// browser is headless Chromium (Debian's chromium) with its log collected:
// a page that breaks the Content-Security-Policy shows up there.
type browser struct {
	alloc context.Context
	mu    sync.Mutex
	logs  []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("chromium"), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("accept-lang", "es-CO,es"), chromedp.Flag("lang", "es-CO"),
		chromedp.WindowSize(1280, 900))
	// Chromium now and then fails to start on a loaded machine (its crash
	// handler gives up): try again before failing.
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
		root, cancelRoot := chromedp.NewContext(alloc)
		if err = chromedp.Do(root); err == nil { // starts the browser
			t.Cleanup(cancel)
			t.Cleanup(cancelRoot)
			return &browser{alloc: root}
		}
		cancelRoot()
		cancel()
		t.Logf("starting chromium (attempt %d): %v", attempt, err)
		time.Sleep(time.Second)
	}
	t.Fatalf("starting chromium: %v", err)
	return nil
}

// tab is a fresh browser context (its own cookies) with one tab.
func (b *browser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok {
			b.mu.Lock()
			b.logs = append(b.logs, string(e.Entry.Source)+" "+string(e.Entry.Level)+": "+e.Entry.Text)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// violations are the CSP violations the browser logged.
func (b *browser) violations() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range b.logs {
		if strings.Contains(l, "Content Security Policy") {
			out = append(out, l)
		}
	}
	return out
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s = %q, want it to contain %q", what, got, w)
		}
	}
}

// screenshot saves the page under docs/screenshots when
// FRANJA_SCREENSHOTS is set (the README shows them); it is taken either way.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	if os.Getenv("FRANJA_SCREENSHOTS") != "" {
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// unlabelled lists the form controls of the page that have no label.
func unlabelled(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
		.filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.getAttribute('aria-label'))
		.map(e => e.outerHTML)`)
}

func signInWithKey(t *testing.T, ctx context.Context, base, key, wait string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if u := unlabelled(t, ctx); len(u) > 0 {
		t.Errorf("the sign-in page has controls without a label: %v", u)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#token"), key),
		chromedp.Click(chromedp.CSS("#key-login")), chromedp.WaitVisible(chromedp.CSS(wait)))
}

// TestWebApp drives the pages in Chromium against the real binary on a
// real database: key and OIDC sign-in, a supervisor's line, a week, "may I
// contact", HR uploads, the language switch and sign-out, with the CSP in
// force throughout; and, with a plain HTTP client, the CSRF, scope and
// cookie rules.
func TestWebApp(t *testing.T) {
	is := newIssuer(t)
	port := freePort(t)
	srv := startServer(t, port, "FRANJA_PUBLIC_URL=https://franja.example.gov.co",
		"FRANJA_OIDC_ISSUER="+is.url(), "FRANJA_OIDC_CLIENT_ID="+is.clientID, "FRANJA_OIDC_CLIENT_SECRET="+is.clientSecret,
		"FRANJA_OIDC_REDIRECT_URL=http://localhost:"+itoa(port)+"/login/oidc/callback", "FRANJA_OIDC_HR_GROUPS=grp-hr,grp-th",
		"FRANJA_AUDIT_THRESHOLD=2")
	supKey, hrKey := srv.seed(t)
	b := newBrowser(t)

	t.Run("supervisor", func(t *testing.T) {
		ctx := b.tab(t)
		signInWithKey(t, ctx, srv.base, supKey, "#team")
		contains(t, "h1", text(t, ctx, "h1"), "Mi equipo ahora")
		people := eval[[]string](t, ctx, `[...document.querySelectorAll('#team tbody tr')].map(r => r.dataset.person)`)
		if !slices.Equal(people, []string{"A1", "A2", "A3"}) {
			t.Errorf("my team shows %v, want exactly S1's line [A1 A2 A3]", people)
		}
		away := text(t, ctx, `tr[data-person="A2"]`)
		contains(t, "A2's row", away, "Ausente", "Andrés Encargado")
		// The leave ends 20 days from now, beyond a supervisor's 14-day
		// disclosure horizon: its end (the return date) is not shown.
		contains(t, "A2's row", away, "no dentro de los próximos 14 días", "vuelva a preguntar")
		if end := time.Now().AddDate(0, 0, 21).Format(time.DateOnly); strings.Contains(away, end) {
			t.Errorf("A2's row shows the return date %s beyond the horizon: %q", end, away)
		}
		if strings.Contains(strings.ToLower(away), "enfermedad") || strings.Contains(away, "sick") {
			t.Errorf("A2's row says why they are away: %q", away)
		}
		contains(t, "A1's row", text(t, ctx, `tr[data-person="A1"]`), "Asia/Tokyo", "Akira Tanaka")
		screenshot(t, ctx, "team")
		// On a phone the table becomes one card per person, without
		// scrolling sideways.
		do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("on a 390 px phone the team page is %d px wide", w)
		}
		screenshot(t, ctx, "team-phone")
		do(t, ctx, chromedp.EmulateViewport(1280, 900))

		// A week in Tokyo: Monday 23 November 2026 is Japan's Labour Thanksgiving Day.
		do(t, ctx, chromedp.Click(chromedp.CSS(`tr[data-person="A1"] a`)), chromedp.WaitVisible(chromedp.CSS(".day")),
			chromedp.Navigate(srv.base+"/people/A1?week=2026-11-25"), chromedp.WaitVisible(chromedp.CSS("#d-2026-11-23")))
		contains(t, "the week's heading", text(t, ctx, "main p"), "2026-11-23", "Asia/Tokyo", "America/Bogota")
		if h := text(t, ctx, "#d-2026-11-23 .holiday"); h == "" {
			t.Error("23 November shows no holiday at the Tokyo post")
		}
		bars := eval[int](t, ctx, `document.querySelectorAll('section[aria-labelledby="d-2026-11-24"] svg.bar').length`)
		allowed := eval[int](t, ctx, `document.querySelectorAll('section[aria-labelledby="d-2026-11-24"] svg.bar')[0].querySelectorAll('rect.allowed').length`)
		if bars != 2 || allowed != 2 {
			t.Errorf("Tuesday has %d bars (want Tokyo and Bogotá) and %d allowed boxes in Tokyo (want 08:00-12:00, 13:00-17:00)", bars, allowed)
		}
		title := eval[string](t, ctx, `document.querySelector('section[aria-labelledby="d-2026-11-24"] rect.gap title').textContent`)
		contains(t, "the first gap's reason", title, "00:00–08:00", "fuera de su jornada", "Ley 2191 de 2022")
		sat := eval[string](t, ctx, `document.querySelector('section[aria-labelledby="d-2026-11-28"] .spans').textContent`)
		contains(t, "Saturday", sat, "00:00–24:00", "descanso")
		screenshot(t, ctx, "week")

		// Editing the URL to someone outside the line: 403, the API's words.
		do(t, ctx, chromedp.Navigate(srv.base+"/people/X1"), chromedp.WaitVisible(chromedp.CSS("#problem")))
		contains(t, "X1's page", text(t, ctx, "#problem"), "X1 no está en su línea")
		if got := text(t, ctx, "main"); strings.Contains(got, "Ximena") {
			t.Errorf("the refusal names the person: %q", got)
		}

		// May I contact Akira by Teams chat at 05:00 Bogotá on Friday 27
		// November (19:00 in Tokyo)? Not now: from Monday 08:00 their time.
		do(t, ctx, chromedp.Navigate(srv.base+"/contact"), chromedp.WaitVisible(chromedp.CSS("#contact-form")),
			chromedp.SetValue(chromedp.CSS("#person"), "A1"), chromedp.SetValue(chromedp.CSS("#channel"), "teams_chat"),
			chromedp.SetValue(chromedp.CSS("#at"), "2026-11-27T05:00"), chromedp.Click(chromedp.CSS("#ask")),
			chromedp.WaitVisible(chromedp.CSS("#answer")))
		ans := text(t, ctx, "#answer")
		contains(t, "the answer", ans, "Ahora no", "Akira Tanaka", "2026-11-30 08:00", "Asia/Tokyo", "2026-11-29 18:00",
			"Está fuera de su jornada laboral", "Ley 2191 de 2022, art", "absténgase")
		if c := eval[string](t, ctx, `document.querySelector('#answer').className`); !strings.Contains(c, "defer") {
			t.Errorf("the answer's class is %q, want defer", c)
		}
		// Force majeure without a justification: the form says what is missing.
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#purpose"), "force_majeure"), chromedp.SetValue(chromedp.CSS("#at"), "2026-11-27T05:00"),
			chromedp.Click(chromedp.CSS("#ask")), chromedp.WaitVisible(chromedp.CSS("#problem")))
		contains(t, "the problem", text(t, ctx, "#problem"), "justification")
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#purpose"), "force_majeure"), chromedp.SetValue(chromedp.CSS("#at"), "2026-11-27T05:00"),
			chromedp.SendKeys(chromedp.CSS("#justification"), "Caída del sistema consular en Tokio"),
			chromedp.Click(chromedp.CSS("#ask")), chromedp.WaitVisible(chromedp.CSS("#audit")))
		contains(t, "force majeure", text(t, ctx, "#answer"), "Sí: puede contactar a Akira Tanaka el 2026-11-27 05:00 (su hora)", "registro de auditoría", "Ley 2191 de 2022, art. 6")
		screenshot(t, ctx, "contact")
		if u := unlabelled(t, ctx); len(u) > 0 {
			t.Errorf("the contact form has controls without a label: %v", u)
		}
		span := "from=" + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + "&to=" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		code, body := srv.api(t, "GET", "/v1/audit/exceptions?"+span, nil)
		if code != 200 || !strings.Contains(string(body), "Caída del sistema consular") || !strings.Contains(string(body), `"requester":"S1"`) {
			t.Errorf("the audit log = %d %s, want the force majeure contact by S1", code, body)
		}

		// A meeting of S1 and A3 (both in Bogotá) fits their working day;
		// with A1 in Tokyo no hour is ever allowed for both.
		do(t, ctx, chromedp.Navigate(srv.base+"/meeting"), chromedp.WaitVisible(chromedp.CSS("#meeting-form")),
			chromedp.Click(chromedp.CSS("#p-S1")), chromedp.Click(chromedp.CSS("#p-A3")), chromedp.Click(chromedp.CSS("#find")),
			chromedp.WaitVisible(chromedp.CSS("#slots")))
		slots := eval[[]string](t, ctx, `[...document.querySelectorAll('.slots > li')].map(li => li.textContent.replace(/\s+/g, ' '))`)
		if len(slots) == 0 {
			t.Error("no meeting time for S1 and A3")
		}
		for _, sl := range slots {
			if !strings.Contains(sl, "Sara Supervisora") || !strings.Contains(sl, "Andrés Encargado") || strings.Count(sl, "America/Bogota") != 3 {
				t.Errorf("a slot reads %q, want both people in America/Bogota and yours", sl)
			}
		}
		screenshot(t, ctx, "meeting")
		do(t, ctx, chromedp.Navigate(srv.base+"/meeting?person=S1&person=A1&minutes=30"), chromedp.WaitVisible(chromedp.CSS("#slots")))
		contains(t, "S1 and A1", text(t, ctx, "#slots"), "Ninguna hora")
		do(t, ctx, chromedp.Navigate(srv.base+"/meeting?person=A1&person=B1"), chromedp.WaitVisible(chromedp.CSS("#problem")))
		contains(t, "a meeting with B1", text(t, ctx, "#problem"), "B1 no está en su línea")

		// English on request, never mixed.
		do(t, ctx, chromedp.Navigate(srv.base+"/team"), chromedp.WaitVisible(chromedp.CSS("#team")),
			chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#team")))
		en := text(t, ctx, "body")
		contains(t, "the English page", en, "My team now", "Away", "Sign out")
		for _, es := range []string{"Ausente", "Cerrar sesión", "Mi equipo"} {
			if strings.Contains(en, es) {
				t.Errorf("the English page says %q", es)
			}
		}

		do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#token")),
			chromedp.Navigate(srv.base+"/team"), chromedp.WaitVisible(chromedp.CSS("#token")))
		if loc := eval[string](t, ctx, `location.pathname`); loc != "/login" {
			t.Errorf("after signing out /team went to %s, want /login", loc)
		}
	})

	t.Run("hr uploads", func(t *testing.T) {
		ctx := b.tab(t)
		signInWithKey(t, ctx, srv.base, hrKey, "#people")
		contains(t, "people", text(t, ctx, "#people"), "Akira Tanaka", "X1")
		screenshot(t, ctx, "people")
		// The force majeure contact S1 made above is in this month's audit
		// log, on today's bar of the chart.
		do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/hr/audit"]`)), chromedp.WaitVisible(chromedp.CSS("#audit")))
		contains(t, "the audit log", text(t, ctx, "#audit"), "S1", "A1", "Caída del sistema consular", "Fuerza mayor", "Chat de Teams")
		today := time.Now().In(time.FixedZone("COT", -5*3600)).Format(time.DateOnly)
		if h := eval[string](t, ctx, `[...document.querySelectorAll('rect.bar-day')].find(r => r.textContent.startsWith('`+today+`')).getAttribute('height')`); h == "0" || h == "" {
			t.Errorf("today's bar is %q high, want the contact counted", h)
		}
		screenshot(t, ctx, "audit")
		// The contacts report: S1→A2 (on leave now, so outside allowed
		// time whatever the hour) three times, above the threshold of 2.
		srv.contactsFor(t)
		do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/hr/report"]`)), chromedp.WaitVisible(chromedp.CSS("#by-pair")))
		contains(t, "S1→A2", text(t, ctx, `#by-pair tr[data-pair="S1→A2"]`), "S1", "A2", "3", "Sí")
		contains(t, "the flag note", text(t, ctx, "#flag-note"), "acoso laboral", "Ley 1010 de 2006", "Umbral: 2 al mes")
		if s2 := text(t, ctx, `#by-pair tr[data-pair="S2→B1"]`); strings.Contains(s2, "Sí") {
			t.Errorf("S2→B1 (one contact) is flagged: %q", s2)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#post-chart rect.bar-outside').length`); n != 1 {
			t.Errorf("the chart has %d outside-allowed bars, want one for BOG", n)
		}
		screenshot(t, ctx, "report")
		dir := t.TempDir()
		bad := writeXLSX(t, dir, "bad.xlsx", [][]any{
			{"person", "kind", "external_ref", "start_date", "end_date"},
			{"A1", "vacation", "XL-1", time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC)},
			{"ZZ9", "vacation", "XL-2", "2027-01-04", "2027-01-08"},
		})
		do(t, ctx, chromedp.Navigate(srv.base+"/hr/import"), chromedp.WaitVisible(chromedp.CSS("#import-form")),
			chromedp.SetValue(chromedp.CSS("#kind"), "leaves"), chromedp.Click(chromedp.CSS("#dry_run")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}), chromedp.Click(chromedp.CSS("#upload")),
			chromedp.WaitVisible(chromedp.CSS("#problem")))
		if dry := eval[bool](t, ctx, `document.querySelector('#dry_run').checked`); dry {
			t.Error("the form went back to a dry run after a real upload")
		}
		rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#problem tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()).join(' '))`)
		if len(rows) != 1 || !strings.HasPrefix(rows[0], "3 person") || !strings.Contains(rows[0], "ZZ9") {
			t.Errorf("the bad rows listed are %q, want sheet row 3's person", rows)
		}
		contains(t, "the problem", text(t, ctx, "#problem"), "1 de 2 filas tienen errores; no se importó nada")
		screenshot(t, ctx, "import")
		if u := unlabelled(t, ctx); len(u) > 0 {
			t.Errorf("the upload form has controls without a label: %v", u)
		}
		if _, body := srv.api(t, "GET", "/v1/people/A1/leaves", nil); strings.Contains(string(body), "XL-1") {
			t.Errorf("the good row of a file with a bad row was written: %s", body)
		}
		// The good rows alone, as a dry run: Excel dates read as dates.
		good := writeXLSX(t, dir, "good.xlsx", [][]any{
			{"person", "kind", "external_ref", "start_date", "end_date"},
			{"A1", "vacation", "XL-1", time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC)},
		})
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#kind"), "leaves"), chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{good}),
			chromedp.Click(chromedp.CSS("#dry_run")), chromedp.Click(chromedp.CSS("#upload")), chromedp.WaitVisible(chromedp.CSS("#result")))
		contains(t, "the dry run", text(t, ctx, "#result"), "Prueba", "1 por crear")
		if _, body := srv.api(t, "GET", "/v1/people/A1/leaves", nil); strings.Contains(string(body), "XL-1") {
			t.Errorf("a dry run wrote: %s", body)
		}
		// A CSV of people with a bad email on line 3.
		csvFile := filepath.Join(dir, "people.csv")
		_ = os.WriteFile(csvFile, []byte("external_id,full_name,email,post\nN1,Nueva Persona,n1@example.gov.co,BOG\nN2,Otra Persona,no-es-correo,BOG\n"), 0o644)
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#kind"), "people"), chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csvFile}),
			chromedp.Click(chromedp.CSS("#upload")), chromedp.WaitVisible(chromedp.CSS("#problem")))
		rows = eval[[]string](t, ctx, `[...document.querySelectorAll('#problem tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()).join(' '))`)
		if len(rows) != 1 || !strings.HasPrefix(rows[0], "3 email") {
			t.Errorf("the bad rows listed are %q, want line 3's email", rows)
		}
		if code, _ := srv.api(t, "GET", "/v1/people/N1", nil); code != 404 {
			t.Errorf("GET /v1/people/N1 = %d after a file with a bad row, want 404: nothing written", code)
		}
		// The three uploads went through upload.js (XMLHttpRequest, with
		// the progress bar), not the plain post it falls back to.
		if n := eval[string](t, ctx, `document.documentElement.dataset.uploads || ''`); n != "3" {
			t.Errorf("upload.js sent %q uploads, want all 3", n)
		}
	})

	t.Run("oidc", func(t *testing.T) {
		ctx := b.tab(t)
		is.signInAs(map[string]any{"email": "S1@example.gov.co", "email_verified": true, "name": "Sara"})
		do(t, ctx, chromedp.Navigate(srv.base+"/login"), chromedp.Click(chromedp.CSS("#oidc-login")), chromedp.WaitVisible(chromedp.CSS("#team")))
		people := eval[[]string](t, ctx, `[...document.querySelectorAll('#team tbody tr')].map(r => r.dataset.person)`)
		if !slices.Equal(people, []string{"A1", "A2", "A3"}) {
			t.Errorf("signed in through OIDC as S1, my team shows %v", people)
		}
		if !is.sawPKCE() {
			t.Error("the authorization request carried no PKCE challenge")
		}
		screenshot(t, ctx, "login-oidc-team")
		do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#oidc-login")))
		screenshot(t, ctx, "login")

		is.signInAs(map[string]any{"email": "h1@example.gov.co", "groups": []string{"grp-other", "grp-th"}})
		do(t, ctx, chromedp.Click(chromedp.CSS("#oidc-login")), chromedp.WaitVisible(chromedp.CSS("#people")))
		do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#oidc-login")))

		is.signInAs(map[string]any{"email": "nadie@example.gov.co"})
		do(t, ctx, chromedp.Click(chromedp.CSS("#oidc-login")), chromedp.WaitVisible(chromedp.CSS("#problem")))
		contains(t, "an unknown account", text(t, ctx, "#problem"), "nadie@example.gov.co")
	})

	t.Run("csp", func(t *testing.T) {
		if v := b.violations(); len(v) > 0 {
			t.Errorf("the pages broke their Content-Security-Policy:\n%s", strings.Join(v, "\n"))
		}
		// The control: an inline script is refused, and the log says so.
		ctx := b.tab(t)
		do(t, ctx, chromedp.Navigate(srv.base+"/login"), chromedp.WaitVisible(chromedp.CSS("#token")))
		ran := eval[bool](t, ctx, `(() => { window.ran = false; const s = document.createElement('script'); s.textContent = 'window.ran = true'; document.body.appendChild(s); return window.ran })()`)
		if ran {
			t.Error("an inline script ran under the CSP")
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(b.violations()) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if len(b.violations()) == 0 {
			t.Error("the browser logged no CSP violation for an inline script: the check above cannot see one")
		}
	})

	t.Run("http", func(t *testing.T) { testHTTP(t, srv, supKey, hrKey) })
	t.Run("oidc refusals", func(t *testing.T) { oidcRefusals(t, srv, is) })
}

func writeXLSX(t *testing.T, dir, name string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
