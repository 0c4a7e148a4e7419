package postgres_test

import (
	"testing"

	"franja/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
