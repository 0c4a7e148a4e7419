package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"franja/internal/pgtest"
	"franja/postgres"
)

// TestAuditVerifyReportsTampering is the fifth "Done when" of issue 11:
// `franja audit verify` finds a row deleted by a superuser (past the
// append-only triggers), and a row altered.
func TestAuditVerifyReportsTampering(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), []string{"audit", "verify"}, env, &out)
		return out.String(), err
	}
	store, err := postgres.Open(context.Background(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var entries []*postgres.AuditEntry
	for _, who := range []string{"E2", "E3", "E4", "E5"} {
		entries = append(entries, &postgres.AuditEntry{Requester: who, Person: "E1", Post: "BOG", Purpose: "urgent", Channel: "phone",
			Justification: "Caída del sistema consular", At: time.Now(), Decision: "allow", Reasons: []string{"exception_applied"},
			Exception: "disponibilidad_permanente", APIKey: "frj_x", RequestID: "r-" + who})
	}
	if _, err := store.RecordExceptions(t.Context(), entries); err != nil {
		t.Fatal(err)
	}
	if err := store.RecordAccess(t.Context(), postgres.AccessEntry{APIKey: "frj_x", Role: "hr", What: "audit_log"}); err != nil {
		t.Fatal(err)
	}
	out, err := verify()
	if err != nil || !strings.Contains(out, "audit_exceptions: 4 rows, chain intact") || !strings.Contains(out, "access_log: 1 rows, chain intact") {
		t.Fatalf("verify on untouched records: %v\n%s", err, out)
	}
	superuser := func(q string) {
		t.Helper()
		if _, err := store.Pool().Exec(t.Context(), "SET session_replication_role = replica; "+q+"; SET session_replication_role = DEFAULT"); err != nil {
			t.Fatal(err)
		}
	}
	superuser(`DELETE FROM audit_exceptions WHERE requester = 'E3'`)
	out, err = verify()
	if !errors.Is(err, errTampered) || !strings.Contains(out, "row 2 is missing (deleted), before row 3 (id 3)") {
		t.Fatalf("verify after a deletion: %v\n%s", err, out)
	}
	superuser(`UPDATE audit_exceptions SET justification = 'Nada' WHERE requester = 'E4'`)
	out, err = verify()
	if !errors.Is(err, errTampered) || !strings.Contains(out, "row 3 (id 3) was altered") {
		t.Fatalf("verify after an alteration: %v\n%s", err, out)
	}
	superuser(`DELETE FROM audit_exceptions WHERE requester = 'E5'`)
	if out, _ = verify(); !strings.Contains(out, "row 4 is missing (deleted) at the end of the chain") {
		t.Errorf("verify after deleting the last row:\n%s", out)
	}
}
