package store_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms"
	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// MustOpen returns a Store on a fresh database, and a plain connection to
// the same database for checks and changes behind the Store's back.
func MustOpen(t *testing.T) (*store.Store, *pgx.Conn, string) {
	t.Helper()
	u := storetest.URL(t)
	st, err := store.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(t.Context()) })
	return st, conn, u
}

// MustOpenAnother opens a second Store on the database at u, as a second
// server process would.
func MustOpenAnother(t *testing.T, u string) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// MustCreateUser creates an active user whose password is "secret".
func MustCreateUser(t *testing.T, st *store.Store, username string) store.User {
	t.Helper()
	u, err := st.CreateUser(t.Context(), store.System, store.NewUser{Username: username, Email: username + "@example.com", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantError fails unless err is an *store.Error of the kind and message.
func wantError(t *testing.T, err error, kind store.Kind, msg string) {
	t.Helper()
	if store.ErrorKind(err) != kind || err.Error() != msg {
		t.Fatalf("got error %v (kind %d), want %q (kind %d)", err, store.ErrorKind(err), msg, kind)
	}
}

func passwordHash(t *testing.T, conn *pgx.Conn, userID int64) string {
	t.Helper()
	var h string
	if err := conn.QueryRow(t.Context(), "SELECT password FROM users WHERE id = $1", userID).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	t.Run("OK", func(t *testing.T) {
		u, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "alice", Email: "a@example.com", Password: "pw", IsStaff: true})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Username != "alice" || u.Email != "a@example.com" || !u.IsActive || !u.IsStaff || u.IsSuperuser {
			t.Errorf("got %+v", u)
		}
		if u.DateJoined.IsZero() || u.LastLogin != nil {
			t.Errorf("DateJoined %v, LastLogin %v", u.DateJoined, u.LastLogin)
		}
		if h := passwordHash(t, conn, u.ID); !strings.HasPrefix(h, "argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("stored hash %q", h)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "alice", Password: "pw"})
		wantError(t, err, store.Conflict, "User with this Username already exists.")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := st.CreateUser(ctx, store.System, store.NewUser{Password: "pw"})
		wantError(t, err, store.Invalid, "username: This field is required.")
	})
}

func TestHasSuperuser(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	MustCreateUser(t, st, "tester")
	if has, err := st.HasSuperuser(ctx); err != nil || has {
		t.Fatalf("before: %v, %v", has, err)
	}
	if _, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "admin", Password: "pw", IsSuperuser: true}); err != nil {
		t.Fatal(err)
	}
	if has, err := st.HasSuperuser(ctx); err != nil || !has {
		t.Fatalf("after: %v, %v", has, err)
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	bob := MustCreateUser(t, st, "bob")
	if err := storetest.SetActive(ctx, st, bob.ID, false); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		before := time.Now()
		u, err := st.Authenticate(ctx, "alice", "secret")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != alice.ID || u.LastLogin == nil || u.LastLogin.Before(before) {
			t.Errorf("got %+v", u)
		}
	})
	for name, c := range map[string][2]string{
		"ErrWrongPassword": {"alice", "wrong"},
		"ErrUnknownUser":   {"carol", "secret"},
		"ErrInactiveUser":  {"bob", "secret"},
		"ErrUsernameCase":  {"Alice", "secret"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := st.Authenticate(ctx, c[0], c[1])
			wantError(t, err, store.Invalid, "Wrong username or password")
		})
	}
}

// djangoHash is what Django's PBKDF2PasswordHasher stores.
func djangoHash(t *testing.T, password, salt string, iterations int) string {
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, 32)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", iterations, salt, base64.StdEncoding.EncodeToString(key))
}

func TestAuthenticateDjangoHash(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	u := MustCreateUser(t, st, "imported")
	django := djangoHash(t, "kiwi", "NaCl1234", 1000)
	if _, err := conn.Exec(ctx, "UPDATE users SET password = $1 WHERE id = $2", django, u.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := st.Authenticate(ctx, "imported", "secret")
		wantError(t, err, store.Invalid, "Wrong username or password")
		if h := passwordHash(t, conn, u.ID); h != django {
			t.Errorf("hash changed to %q", h)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if _, err := st.Authenticate(ctx, "imported", "kiwi"); err != nil {
			t.Fatal(err)
		}
		if h := passwordHash(t, conn, u.ID); !strings.HasPrefix(h, "argon2id$") {
			t.Fatalf("not rehashed: %q", h)
		}
		if _, err := st.Authenticate(ctx, "imported", "kiwi"); err != nil {
			t.Fatalf("after rehash: %v", err)
		}
	})
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	u := MustCreateUser(t, st, "alice")
	t.Run("OK", func(t *testing.T) {
		if err := storetest.SetPassword(ctx, st, u.ID, "new secret"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Authenticate(ctx, "alice", "new secret"); err != nil {
			t.Error(err)
		}
		_, err := st.Authenticate(ctx, "alice", "secret")
		wantError(t, err, store.Invalid, "Wrong username or password")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, storetest.SetPassword(ctx, st, u.ID+100, "x"), store.NotFound, "User matching query does not exist.")
		wantError(t, storetest.SetActive(ctx, st, u.ID+100, false), store.NotFound, "User matching query does not exist.")
	})
}

func TestServerSecret(t *testing.T) {
	t.Parallel()
	st, _, u := MustOpen(t)
	ctx := t.Context()
	first, err := st.ServerSecret(ctx)
	if err != nil || len(first) != 32 {
		t.Fatalf("got %x, %v", first, err)
	}
	other, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, s := range []*store.Store{st, other} {
		if again, err := s.ServerSecret(ctx); err != nil || string(again) != string(first) {
			t.Fatalf("got %x, %v; want %x", again, err, first)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	MustCreateUser(t, st, "alice")
	done, err := st.Migrate(t.Context(), tcms.Schema)
	if err != nil || len(done) != 0 || done.String() != "database schema is up to date: nothing to apply" {
		t.Fatalf("a second migration applied %v (%v)", done, err)
	}
	if _, err := st.Authenticate(t.Context(), "alice", "secret"); err != nil {
		t.Fatalf("user lost: %v", err)
	}
}

// TestUserByRefUsesIndexes: every statement that names a user by id,
// username or email (TestRun.create, Bug.create and update, the user
// fields of updates) finds it through user_by_ref. Each of its three
// matches must have an index, or PostgreSQL reads every account: with
// 200,000 accounts that was 650 ms per TestRun.create, most of it JIT
// compiling the scan. With sequential scans off, the plan must not scan
// users.
func TestUserByRefUsesIndexes(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(t.Context(), "EXPLAIN SELECT r FROM user_by_ref('{7}'::bigint[], '{ann,ann@example.com}'::text[]) r")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if strings.Contains(plan, "Seq Scan on users") || !strings.Contains(plan, "users_email_idx") {
		t.Fatalf("user_by_ref reads users without an index on each match:\n%s", plan)
	}
}
