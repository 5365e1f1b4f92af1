// Package storetest gives each test its own migrated PostgreSQL database.
//
// Tests need TEST_DATABASE_URL, a URL of a server where the user may create
// databases. Without it they are skipped, except in CI (CI=true), where
// they fail.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms"
	"github.com/tcms/tcms/store"
)

// New returns a Store on a fresh database; it is closed at cleanup.
func New(t testing.TB) *store.Store {
	t.Helper()
	u := URL(t)
	st, err := store.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// URL returns the URL of a fresh, migrated, empty database, dropped at
// cleanup. Copying a template is much faster than running the schema.
func URL(t testing.TB) string {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		unavailable(t, "TEST_DATABASE_URL is not set")
	}
	tpl, err := template()
	var unreachable unreachableError
	if errors.As(err, &unreachable) {
		unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return fresh(t, tpl)
}

// EmptyURL returns the URL of a fresh database without any schema,
// dropped at cleanup.
func EmptyURL(t testing.TB) string {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		unavailable(t, "TEST_DATABASE_URL is not set")
	}
	return fresh(t, "template0")
}

// fresh creates a database from a template and returns its URL.
func fresh(t testing.TB, tpl string) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	name := "tcms_t_" + strings.ToLower(rand.Text())
	if err := admin(t.Context(), base, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		// FORCE ends connections a failed test left open.
		if err := admin(context.Background(), base, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	u, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return u
}

func unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("storetest: no test database: %s", reason)
	}
	t.Skipf("storetest: no test database (%s); `make test` provides one", reason)
}

// template returns the name of a migrated template database, building it
// once per process. The name is a hash of the schema, so parallel test
// processes and later runs share one template, and a schema change gets a
// new one (replacing the old ones, which would otherwise pile up).
var template = sync.OnceValues(buildTemplate)

// unreachableError marks a server that cannot be reached: tests skip
// rather than fail, unlike for a schema that does not apply.
type unreachableError struct{ error }

func buildTemplate() (string, error) {
	base := os.Getenv("TEST_DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum := sha256.Sum256([]byte(tcms.Schema + strings.Join(store.Catalogue(), ",")))
	name := "tcms_tpl_" + hex.EncodeToString(sum[:6])
	conn, err := connect(ctx, base)
	if err != nil {
		return "", unreachableError{err}
	}
	// Closing the connection releases the lock.
	defer conn.Close(context.Background())
	// Other test processes wait here while one builds the template.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext('tcms_storetest'))"); err != nil {
		return "", err
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Old templates, and a half-built one left by a crash, go first.
	rows, _ := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'tcms\_tpl\_%'`)
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, db := range old {
		if _, err := conn.Exec(ctx, "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
			return "", err
		}
	}
	// Built under another name and renamed when complete, so that the
	// template exists only if its migration succeeded.
	building := name + "_new"
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	if err := migrate(ctx, base, building); err != nil {
		return "", fmt.Errorf("migrate the template: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

func migrate(ctx context.Context, base, name string) error {
	u, err := withDatabase(base, name)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, tcms.Schema); err != nil {
		return err
	}
	_, err = st.RefreshPermissions(ctx)
	return err
}

// admin runs one statement on the TEST_DATABASE_URL database.
func admin(ctx context.Context, base, sql string) error {
	conn, err := connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func connect(ctx context.Context, base string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to TEST_DATABASE_URL: %w", err)
	}
	return conn, nil
}

// withDatabase returns the URL base with its database replaced by name.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// SetActive activates or deactivates a user, as a superuser does.
func SetActive(ctx context.Context, st *store.Store, id int64, active bool) error {
	_, err := st.UpdateUser(ctx, store.System, id, store.UserChange{IsActive: &active})
	return err
}

// SetPassword sets a user's password, as a superuser does.
func SetPassword(ctx context.Context, st *store.Store, id int64, password string) error {
	_, err := st.UpdateUser(ctx, store.System, id, store.UserChange{Password: &password})
	return err
}

// Unlock lifts a user's login lockout, as a superuser does.
func Unlock(ctx context.Context, st *store.Store, id int64) error {
	_, err := st.UpdateUser(ctx, store.System, id, store.UserChange{Unlock: true})
	return err
}
