//go:build apiclient

package apiclient

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
)

// TestAgainstTheServer uses the generated client as an integrator would:
// a merge patch that clears fields with null, and a batch whose error item
// is told from a decision by its discriminator. api.TestGeneratedClient
// runs it with FRANJA_API_URL and FRANJA_API_TOKEN set.
func TestAgainstTheServer(t *testing.T) {
	base, token := os.Getenv("FRANJA_API_URL"), os.Getenv("FRANJA_API_TOKEN")
	if base == "" || token == "" {
		t.Fatal("run through api.TestGeneratedClient, which starts the server and sets FRANJA_API_URL and FRANJA_API_TOKEN")
	}
	ctx := context.Background()
	c, err := NewClientWithResponses(base, WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Accept-Language", "en")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Set-up through the raw bodies: the point is below.
	post, err := c.CreatePostWithBodyWithResponse(ctx, "application/json", strings.NewReader(
		`{"code":"BOG","name":"Sede Bogotá","kind":"headquarters","country":"CO","time_zone":"America/Bogota","calendars":["CO"],"schedule":{"mon":["08:00-17:00"],"tue":["08:00-17:00"]}}`))
	if err != nil || post.StatusCode() != 201 {
		t.Fatalf("creating a post: %v %s", err, body(post.Body))
	}
	for _, p := range []string{
		`{"external_id":"S1","full_name":"Sara","email":"s1@cancilleria.gov.co","post":"BOG"}`,
		`{"external_id":"E1","full_name":"Ana","email":"e1@cancilleria.gov.co","post":"BOG","supervisor":"S1","time_zone":"Asia/Tokyo","schedule":{"wed":["09:00-12:00"]}}`,
	} {
		res, err := c.CreatePersonWithBodyWithResponse(ctx, "application/json", strings.NewReader(p))
		if err != nil || res.StatusCode() != 201 {
			t.Fatalf("creating a person: %v %s", err, body(res.Body))
		}
	}

	// The merge patch: null clears the zone, the supervisor and the override schedule.
	patch := PersonPatch{
		TimeZone:   nullable.NewNullNullable[string](),
		Supervisor: nullable.NewNullNullable[string](),
		Schedule:   nullable.NewNullNullable[Schedule](),
		FullName:   ptr("Ana Pérez"),
	}
	res, err := c.PatchPersonWithResponse(ctx, "E1", &PatchPersonParams{IfMatch: "*"}, patch)
	if err != nil || res.JSON200 == nil {
		t.Fatalf("PATCH with null: %v %d %s", err, res.StatusCode(), body(res.Body))
	}
	got, err := c.GetPersonWithResponse(ctx, "E1", nil)
	if err != nil || got.JSON200 == nil {
		t.Fatalf("GET: %v %s", err, body(got.Body))
	}
	p := got.JSON200
	if !p.TimeZone.IsNull() || !p.Supervisor.IsNull() || !p.Schedule.IsNull() || len(p.Schedules) != 0 || p.FullName != "Ana Pérez" {
		t.Errorf("after the patch: time_zone %v, supervisor %v, schedule %v, schedules %v, name %q",
			p.TimeZone, p.Supervisor, p.Schedule, p.Schedules, p.FullName)
	}

	// A batch with an error item, told apart by the discriminator.
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC) // a Monday, 10:00 in Bogotá
	var batch ContactChecksJSONRequestBody
	// The item type is an anonymous struct that grows with the schema: make
	// two zero items rather than spell it out.
	batch.Checks = slices.Grow(batch.Checks, 2)[:2]
	batch.Checks[0].At, batch.Checks[0].Person = &at, ptr("S1")
	batch.Checks[1] = batch.Checks[0]
	batch.Checks[1].Person = ptr("NOBODY")
	checks, err := c.ContactChecksWithResponse(ctx, batch)
	if err != nil || checks.JSON200 == nil || len(checks.JSON200.Results) != 2 {
		t.Fatalf("contact-checks: %v %s", err, body(checks.Body))
	}
	first, err := checks.JSON200.Results[0].ValueByDiscriminator()
	if d, ok := first.(CheckDecision); err != nil || !ok || d.Person != "S1" || d.Decision != "allow" {
		t.Errorf("first result: %#v, %v", first, err)
	}
	second, err := checks.JSON200.Results[1].ValueByDiscriminator()
	if e, ok := second.(CheckError); err != nil || !ok || e.Error.Code != "not_found" || e.Error.Status != 404 {
		t.Errorf("second result: %#v, %v", second, err)
	}
}

func ptr[T any](v T) *T { return &v }

func body(b []byte) string { return string(b) }
