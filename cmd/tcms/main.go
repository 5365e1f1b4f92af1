// Command tcms is the test-case-management server: it serves the Kiwi
// TCMS RPC API over XML-RPC and JSON-RPC and manages its database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tcms/tcms/store"
)

const usage = `Usage: tcms <command> [flags]

Commands:
  serve            serve the RPC API (TCMS_ADDR, default 127.0.0.1:8080)
  migrate          create or upgrade the database schema in place, every tenant's too
  initial-setup    prepare a new installation: secret key, first superuser
  createsuperuser  create a superuser: -username U -email E (password from
                   TCMS_ADMIN_PASSWORD, -password, or the first line of stdin)
  refresh-permissions  sync the permission table with the code; reset the
                   Administrator and Tester groups
  create-tenant    create a tenant: -schema s -name n -owner username [-domain d]
                   [-organization o] [-publicly-readable]
  set-domain       store the public domain used in absolute URLs: set-domain tcms.example.com
  export-permissions  print every (user, label) as CSV or JSON: [-tenant SCHEMA|all]
                   [-format csv|json]
  docs [filters]   print the API reference (docs/api.md), or the generated part
                   of docs/filters.md
  report junit FILE...  report JUnit XML results to a server (TCMS_URL) in a few
                   calls, with TCMS_API_TOKEN or a CI job's ID token (docs/ci.md)

Every command but report reads DATABASE_URL and the TCMS_* variables
(docs/running.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		sayFailure(os.Stderr, os.Args[1:], err)
		os.Exit(1)
	}
}

// sayFailure says why a command failed: the server in one JSON line, like
// every other line it writes; the other commands in plain text.
func sayFailure(w io.Writer, args []string, err error) {
	switch {
	case errors.Is(err, flag.ErrHelp):
	case len(args) > 0 && args[0] == "serve":
		slog.New(slog.NewJSONHandler(w, nil)).Error("tcms serve stopped", "err", err)
	default:
		fmt.Fprintln(w, "tcms:", err)
	}
}

// run executes one command; getenv is os.Getenv outside tests.
func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	if args[0] == "report" {
		// A client of a server: no database, its own flags.
		return reportCommand(ctx, args[1:], os.Stderr, getenv)
	}
	cfg, err := loadConfig(args[0], args[1:], getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "docs":
		if len(cfg.Args) == 1 && cfg.Args[0] == "filters" {
			_, err := io.WriteString(stdout, store.FilterFieldsReference())
			return err
		}
		return printDocs(stdout)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "initial-setup":
		return initialSetup(ctx, cfg, stdout)
	case "createsuperuser":
		return createSuperuser(ctx, cfg, stdout)
	case "refresh-permissions":
		return withStore(ctx, cfg, func(st *store.Store) error { return refreshPermissions(ctx, st, stdout) })
	case "create-tenant":
		return createTenant(ctx, cfg, stdout)
	case "set-domain":
		return setDomain(ctx, cfg, stdout)
	case "export-permissions":
		return exportPermissions(ctx, cfg, stdout)
	case "serve":
		m := NewMain(cfg)
		if err := m.Run(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return m.Close()
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
