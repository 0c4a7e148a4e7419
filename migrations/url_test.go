package migrations

import (
	"net/url"
	"testing"
)

func TestDriverURLBoundsLockWaits(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h/db":                  "60s",
		"postgres://u@h/db?lock_timeout=5s":  "5s",
		"postgresql://u@/db?host=%2Ftmp%2Fs": "60s",
	} {
		u, err := url.Parse(driverURL(in))
		if err != nil || u.Scheme != "pgx5" || u.Query().Get("lock_timeout") != want || u.Query().Get("x-migrations-table") != "schema_migrations" {
			t.Errorf("%s → %s (%v)", in, driverURL(in), err)
		}
	}
}
