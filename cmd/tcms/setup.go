package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tcms/tcms"
	"github.com/tcms/tcms/rpc"
	"github.com/tcms/tcms/store"
)

func printDocs(w io.Writer) error {
	doc, err := rpc.APIReference()
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, doc)
	return err
}

// withStore opens the database for one command, without the statement
// timeout of serving (store.Open): migrate and create-tenant take as long
// as they take.
func withStore(ctx context.Context, cfg config, fn func(*store.Store) error) error {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetDefaultGroups(cfg.DefaultGroups)
	return fn(st)
}

func migrate(ctx context.Context, cfg config, w io.Writer) error {
	return withStore(ctx, cfg, func(st *store.Store) error {
		done, err := st.Migrate(ctx, tcms.Schema)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, done)
		return refreshPermissions(ctx, st, w)
	})
}

func refreshPermissions(ctx context.Context, st *store.Store, w io.Writer) error {
	removed, err := st.RefreshPermissions(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "permissions: %d labels; Administrator and Tester hold the default labels they never received", len(store.Catalogue()))
	if removed > 0 {
		fmt.Fprintf(w, "; %d stale labels removed", removed)
	}
	fmt.Fprintln(w)
	return nil
}

func setDomain(ctx context.Context, cfg config, w io.Writer) error {
	if len(cfg.Args) != 1 || cfg.Args[0] == "" || strings.ContainsAny(cfg.Args[0], "/ ") {
		return fmt.Errorf("usage: tcms set-domain <host[:port]>, e.g. tcms set-domain tcms.example.com")
	}
	return withStore(ctx, cfg, func(st *store.Store) error {
		if err := st.SetDomain(ctx, cfg.Args[0]); err != nil {
			return err
		}
		fmt.Fprintf(w, "domain set to %s\n", cfg.Args[0])
		return nil
	})
}

// initialSetup prepares a new installation and is safe to repeat: it
// makes sure the session secret and, unless TCMS_ENCRYPTION_KEY is set,
// the credential encryption key exist, and creates the first superuser
// from TCMS_ADMIN_* when there is none.
func initialSetup(ctx context.Context, cfg config, w io.Writer) error {
	return withStore(ctx, cfg, func(st *store.Store) error {
		if _, err := st.ServerSecret(ctx); err != nil {
			return err
		}
		if cfg.EncryptionKey == nil {
			if _, err := st.EncryptionKey(ctx); err != nil {
				return err
			}
		}
		if err := refreshPermissions(ctx, st, w); err != nil {
			return err
		}
		has, err := st.HasSuperuser(ctx)
		if err != nil || has {
			return err
		}
		if cfg.AdminUsername == "" || cfg.AdminPassword == "" {
			fmt.Fprintln(w, "No superuser exists yet. Create one by setting TCMS_ADMIN_USERNAME, TCMS_ADMIN_PASSWORD")
			fmt.Fprintln(w, "and TCMS_ADMIN_EMAIL before `make run`, or with: tcms createsuperuser -username U -email E -password P")
			return nil
		}
		return addSuperuser(ctx, st, cfg, w)
	})
}

// stdin is where createsuperuser reads a password given neither by flag
// nor by variable.
var stdin io.Reader = os.Stdin

func createSuperuser(ctx context.Context, cfg config, w io.Writer) error {
	if cfg.AdminPassword == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		cfg.AdminPassword = strings.TrimRight(line, "\r\n")
	}
	if cfg.AdminUsername == "" || cfg.AdminPassword == "" {
		return fmt.Errorf("createsuperuser needs -username and a password (TCMS_ADMIN_PASSWORD, -password or stdin)")
	}
	return withStore(ctx, cfg, func(st *store.Store) error { return addSuperuser(ctx, st, cfg, w) })
}

func addSuperuser(ctx context.Context, st *store.Store, cfg config, w io.Writer) error {
	u, err := st.CreateUser(ctx, store.System, store.NewUser{
		Username: cfg.AdminUsername, Email: cfg.AdminEmail, Password: cfg.AdminPassword,
		IsStaff: true, IsSuperuser: true,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "created superuser %q (id %d)\n", u.Username, u.ID)
	return nil
}
