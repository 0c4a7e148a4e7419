package main

import (
	"testing"

	"franja/api"
)

func TestRateLimitsFromTheEnvironment(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "FRANJA_RATE_LIMIT_SYSTEM" {
				return v
			}
			return ""
		}
	}
	for v, want := range map[string]int{"": api.DefaultRateLimits[api.RoleSystem], "0": 0, "50000": 50000, "-3": api.DefaultRateLimits[api.RoleSystem], "lots": api.DefaultRateLimits[api.RoleSystem]} {
		got := rateLimits(env(v))
		if got[api.RoleSystem] != want || got[api.RoleHR] != api.DefaultRateLimits[api.RoleHR] {
			t.Errorf("FRANJA_RATE_LIMIT_SYSTEM=%q: %v", v, got)
		}
	}
	if api.DefaultRateLimits[api.RoleSystem] != 2000 {
		t.Error("rateLimits changed the defaults it cloned")
	}
	if atoiOr("12", 10) != 12 || atoiOr("0", 10) != 10 || atoiOr("x", 10) != 10 {
		t.Error("atoiOr")
	}
}
