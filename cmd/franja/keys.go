package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"franja/domain"
	"franja/postgres"
)

const keysUsage = "franja keys create --role R --name N [--person ID] [--expires INSTANT] | list | revoke ID"

// keysAction is one `franja keys` subcommand, its arguments already parsed.
type keysAction func(ctx context.Context, store *postgres.Store, stdout io.Writer) error

// keysCmd runs `franja keys create|list|revoke` straight against the
// database (DATABASE_URL or the embedded one), migrating it first so that a
// fresh install can make its first key without a running server.
func keysCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	action, err := parseKeysArgs(args)
	if err != nil {
		return err
	}
	store, closeStore, err := openAdminStore(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()
	return action(ctx, store, stdout)
}

// parseKeysArgs checks the command line before any database is touched.
func parseKeysArgs(args []string) (keysAction, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
	switch args[0] {
	case "create":
		return parseKeysCreate(args[1:])
	case "list":
		if len(args) != 1 {
			return nil, fmt.Errorf("%w: franja keys list takes no arguments", errUsage)
		}
		return listKeys, nil
	case "revoke":
		if len(args) != 2 {
			return nil, fmt.Errorf("%w: franja keys revoke ID (the id `franja keys list` shows)", errUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || id < 1 {
			return nil, fmt.Errorf("%w: %q is not a key id (the number `franja keys list` shows)", errUsage, args[1])
		}
		return func(ctx context.Context, store *postgres.Store, stdout io.Writer) error {
			return revokeKey(ctx, store, stdout, id)
		}, nil
	default:
		return nil, fmt.Errorf("%w: unknown keys command %q (%s)", errUsage, args[0], keysUsage)
	}
}

func parseKeysCreate(args []string) (keysAction, error) {
	fs := flag.NewFlagSet("franja keys create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var k postgres.NewAPIKey
	var expires string
	fs.StringVar(&k.Role, "role", "", "admin, hr, supervisor or system")
	fs.StringVar(&k.Name, "name", "", "who uses the key")
	fs.StringVar(&k.Person, "person", "", "the external_id a supervisor key is bound to")
	fs.StringVar(&expires, "expires", "", "when the key stops working (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w: %v (%s)", errUsage, err, keysUsage)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected %q; quote a name with spaces: --name \"Talento Humano\"", errUsage, fs.Arg(0))
	}
	if expires != "" {
		t, err := time.Parse(time.RFC3339, expires)
		if err != nil {
			return nil, fmt.Errorf("%w: --expires %q is not an RFC 3339 instant such as 2027-01-01T00:00:00-05:00", errUsage, expires)
		}
		k.ExpiresAt = &t
	}
	return func(ctx context.Context, store *postgres.Store, stdout io.Writer) error {
		return createKey(ctx, store, stdout, k)
	}, nil
}

func createKey(ctx context.Context, store *postgres.Store, stdout io.Writer, k postgres.NewAPIKey) error {
	key, token, err := store.CreateAPIKey(ctx, k, time.Now())
	if err != nil {
		return describeKeyError(err)
	}
	fmt.Fprintf(stdout, "Created API key %d (%s): role %s, name %q", key.ID, key.Prefix, key.Role, key.Name)
	if key.Person != "" {
		fmt.Fprintf(stdout, ", person %s", key.Person)
	}
	if key.ExpiresAt != nil {
		fmt.Fprintf(stdout, ", expires %s", key.ExpiresAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, ".\nThe token is shown only now; store it safely:\n%s\n", token)
	return nil
}

// describeKeyError lists every field at fault, not only the first.
func describeKeyError(err error) error {
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		name := f.Field
		if name == "expires_at" {
			name = "expires"
		}
		parts = append(parts, "--"+name+": "+f.Text().String())
	}
	return fmt.Errorf("%s: %s", e.Text(), strings.Join(parts, "; "))
}

func listKeys(ctx context.Context, store *postgres.Store, stdout io.Writer) error {
	keys, err := store.ListAPIKeys(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tROLE\tPERSON\tSTATUS\tCREATED\tEXPIRES\tLAST USED\tNAME")
	for _, k := range keys {
		status := "active"
		if k.RevokedAt != nil {
			status = "revoked"
		} else if !k.Active(now) {
			status = "expired"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Role, dash(k.Person), status,
			stamp(&k.CreatedAt), stamp(k.ExpiresAt), stamp(k.LastUsedAt), k.Name)
	}
	return tw.Flush()
}

func revokeKey(ctx context.Context, store *postgres.Store, stdout io.Writer, id int64) error {
	k, err := store.RevokeAPIKey(ctx, id, time.Now())
	if err != nil {
		return err
	}
	// Running servers cache keys for about a second; none takes longer to see it.
	fmt.Fprintf(stdout, "Revoked API key %d (%s, %q) at %s.\n", k.ID, k.Prefix, k.Name, k.RevokedAt.UTC().Format(time.RFC3339))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
