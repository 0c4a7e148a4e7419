package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"franja/migrations"
)

// migrateCmd runs `franja migrate up|version|force N`.
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: franja migrate up|version|force N", errUsage)
	}
	t, err := adminDatabase(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer t.stop()
	dsn := t.owner
	switch args[0] {
	case "up":
		if err := migrations.Up(ctx, dsn); err != nil {
			return err
		}
		fallthrough
	case "version":
		v, dirty, err := migrations.Version(dsn)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "version %d (latest %d)", v, migrations.Latest())
		if dirty {
			fmt.Fprintf(stdout, ", dirty: fix the cause, then run `franja migrate force %d`", int(v)-1)
		}
		fmt.Fprintln(stdout)
		return nil
	case "force":
		if len(args) != 2 {
			return fmt.Errorf("%w: franja migrate force N (the last version known to be applied cleanly)", errUsage)
		}
		v, err := strconv.Atoi(args[1])
		if err != nil || v < -1 {
			return fmt.Errorf("%w: %q is not a version number", errUsage, args[1])
		}
		if err := migrations.Force(dsn, v); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "version forced to %d; now run `franja migrate up`\n", v)
		return nil
	default:
		return fmt.Errorf("%w: unknown migrate command %q (up, version or force N)", errUsage, args[0])
	}
}
