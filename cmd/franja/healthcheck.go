package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthcheck GETs a URL and succeeds on 200: a container health check for an
// image that has no shell or curl.
func healthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: franja healthcheck URL", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", args[0], resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
