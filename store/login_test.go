package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// wrongMsg answers every failed login: unknown user, wrong password,
// inactive or locked account alike.
const wrongMsg = "Wrong username or password"

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	st.SetLoginPolicy(store.LoginPolicy{MaxFailures: 3, Lockout: time.Hour})
	failedLogins := func(id int64) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, "SELECT failed_logins FROM users WHERE id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("OK", func(t *testing.T) {
		alice := MustCreateUser(t, st, "alice")
		for range 2 {
			_, err := st.Authenticate(ctx, "alice", "wrong")
			wantError(t, err, store.Invalid, wrongMsg)
		}
		if n := failedLogins(alice.ID); n != 2 {
			t.Fatalf("failed_logins %d after 2 wrong passwords", n)
		}
		u, err := st.Authenticate(ctx, "alice", "secret")
		if err != nil {
			t.Fatal(err)
		}
		if u.LockedUntil != nil || failedLogins(alice.ID) != 0 {
			t.Fatalf("a login must reset the count: %+v, %d", u, failedLogins(alice.ID))
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		bob := MustCreateUser(t, st, "bob")
		for range 2 {
			st.Authenticate(ctx, "bob", "wrong")
		}
		_, err := st.Authenticate(ctx, "bob", "wrong")
		wantError(t, err, store.Invalid, wrongMsg)
		// Locked: the right password is refused too, with the same text as
		// for an unknown user, so that the lockout tells nothing.
		_, err = st.Authenticate(ctx, "bob", "secret")
		wantError(t, err, store.Invalid, wrongMsg)
		_, err = st.BasicPrincipal(ctx, "bob", "secret")
		wantError(t, err, store.Invalid, wrongMsg)
		var locked bool
		if err := conn.QueryRow(ctx, "SELECT locked_until > now() FROM users WHERE id = $1", bob.ID).Scan(&locked); err != nil || !locked {
			t.Fatalf("bob not locked: %v", err)
		}
		if n := failedLogins(bob.ID); n != 0 {
			t.Errorf("failed_logins %d after locking", n)
		}

		if err := storetest.Unlock(ctx, st, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Authenticate(ctx, "bob", "secret"); err != nil {
			t.Fatalf("after UnlockUser: %v", err)
		}
	})
	t.Run("LockoutEnds", func(t *testing.T) {
		carol := MustCreateUser(t, st, "carol")
		for range 3 {
			st.Authenticate(ctx, "carol", "wrong")
		}
		if _, err := conn.Exec(ctx, "UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1", carol.ID); err != nil {
			t.Fatal(err)
		}
		u, err := st.Authenticate(ctx, "carol", "secret")
		if err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		if u.LockedUntil != nil {
			t.Errorf("LockedUntil %v after a login", u.LockedUntil)
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		for range 4 {
			_, err := st.Authenticate(ctx, "ghost", "wrong")
			wantError(t, err, store.Invalid, wrongMsg)
		}
		wantError(t, storetest.Unlock(ctx, st, 1<<40), store.NotFound, "User matching query does not exist.")
	})
	t.Run("Off", func(t *testing.T) {
		other, _, _ := MustOpen(t)
		other.SetLoginPolicy(store.LoginPolicy{})
		MustCreateUser(t, other, "dave")
		for range 10 {
			_, err := other.Authenticate(ctx, "dave", "wrong")
			wantError(t, err, store.Invalid, wrongMsg)
		}
		if _, err := other.Authenticate(ctx, "dave", "secret"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSetPasswordEndsSessions(t *testing.T) {
	t.Parallel()
	a, _, u := MustOpen(t)
	b := MustOpenAnother(t, u)
	ctx := t.Context()
	alice := MustCreateUser(t, a, "alice")
	id := MustCreateSession(t, a, alice.ID)
	if _, err := b.SessionPrincipal(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := storetest.SetPassword(ctx, a, alice.ID, "new secret"); err != nil {
		t.Fatal(err)
	}
	_, err := a.SessionPrincipal(ctx, id)
	wantError(t, err, store.Unauthenticated, "session expired")
	eventually(t, "session ended by a password change in A refused by B", func() bool {
		_, err := b.SessionPrincipal(ctx, id)
		return store.ErrorKind(err) == store.Unauthenticated
	})
}

// TestLoginThrottle: only failures count, per address and per (address,
// username), in the database, so that every server process sees them.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	a, conn, u := MustOpen(t)
	b := MustOpenAnother(t, u)
	policy := store.LoginPolicy{PerAddress: 6, PerUser: 3, Window: time.Hour}
	a.SetLoginPolicy(policy)
	b.SetLoginPolicy(policy)
	MustCreateUser(t, a, "alice")
	MustCreateUser(t, a, "bob")
	at := func(addr string) context.Context { return store.WithClientAddress(t.Context(), addr) }
	const throttled = "Too many failed logins from this address; try again in "

	t.Run("OKCorrectPasswordsNeverCount", func(t *testing.T) {
		for range 20 {
			if _, err := a.Authenticate(at("192.0.2.1"), "alice", "secret"); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		conn.QueryRow(t.Context(), "SELECT count(*) FROM login_failures WHERE level > 0.0001").Scan(&n)
		if n != 0 {
			t.Fatalf("%d keys count failures after correct logins only", n)
		}
	})
	t.Run("ErrPerUserAcrossServers", func(t *testing.T) {
		for i := range 3 {
			st := []*store.Store{a, b}[i%2] // failures on both servers add up
			_, err := st.Authenticate(at("192.0.2.2"), "ghost", "guess")
			wantError(t, err, store.Invalid, wrongMsg)
		}
		_, err := b.Authenticate(at("192.0.2.2"), "ghost", "guess")
		if !strings.HasPrefix(fmt.Sprint(err), throttled) {
			t.Fatalf("4th failure for one username: %v", err)
		}
		// Another username from the same address still gets its answer.
		if _, err := a.Authenticate(at("192.0.2.2"), "alice", "secret"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrPerAddress", func(t *testing.T) {
		for i := range 6 {
			_, err := a.Authenticate(at("192.0.2.3"), fmt.Sprint("user", i), "guess")
			wantError(t, err, store.Invalid, wrongMsg)
		}
		for _, st := range []*store.Store{a, b} {
			_, err := st.Authenticate(at("192.0.2.3"), "alice", "secret")
			if !strings.HasPrefix(fmt.Sprint(err), throttled) {
				t.Fatalf("a throttled address logs in: %v", err)
			}
		}
		if _, err := b.Authenticate(at("198.51.100.1"), "alice", "secret"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
	t.Run("OKDrains", func(t *testing.T) {
		if _, err := conn.Exec(t.Context(), "UPDATE login_failures SET updated_at = updated_at - interval '1 hour' WHERE key LIKE '%192.0.2.3%'"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(at("192.0.2.3"), "alice", "secret"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// TestLoginRaces: attempts are counted before the hash, one by one under
// the row locks, so that concurrent guesses cannot outrun the limits.
func TestLoginRaces(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := store.WithClientAddress(t.Context(), "192.0.2.9")
	st.SetLoginPolicy(store.LoginPolicy{MaxFailures: 3, Lockout: time.Hour, PerUser: 10, Window: time.Hour})
	alice := MustCreateUser(t, st, "alice")

	t.Run("ErrConcurrentGuessesThrottled", func(t *testing.T) {
		errs := make(chan error, 25)
		for range 25 {
			go func() { _, err := st.Authenticate(ctx, "ghost", "guess"); errs <- err }()
		}
		wrong, throttled := 0, 0
		for range 25 {
			switch err := <-errs; {
			case fmt.Sprint(err) == wrongMsg:
				wrong++
			case strings.HasPrefix(fmt.Sprint(err), "Too many failed logins"):
				throttled++
			default:
				t.Fatal(err)
			}
		}
		var level float64
		conn.QueryRow(ctx, "SELECT level FROM login_failures WHERE key = 'u:192.0.2.9 ghost'").Scan(&level)
		if wrong != 10 || throttled != 15 || level > 1.000001 {
			t.Fatalf("%d guesses checked, %d throttled, level %.2f; want 10, 15, at most 1", wrong, throttled, level)
		}
	})
	t.Run("ErrGuessesUnderWay", func(t *testing.T) {
		// As many wrong guesses as the lockout allows are being checked: the
		// right password waits for the lockout, whatever their outcome.
		if _, err := conn.Exec(ctx, "UPDATE users SET failed_logins = 3 WHERE id = $1", alice.ID); err != nil {
			t.Fatal(err)
		}
		_, err := st.Authenticate(t.Context(), "alice", "secret")
		wantError(t, err, store.Invalid, wrongMsg)
		if err := storetest.Unlock(t.Context(), st, alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Authenticate(t.Context(), "alice", "secret"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNoPassword", func(t *testing.T) {
		// An account without a password is checked against the dummy hash,
		// which its own password must not open.
		if _, err := st.CreateUser(t.Context(), store.System, store.NewUser{Username: "invited", Groups: []string{}}); err != nil {
			t.Fatal(err)
		}
		for _, guess := range []string{"dummy password", "", "!"} {
			_, err := st.Authenticate(t.Context(), "invited", guess)
			wantError(t, err, store.Invalid, wrongMsg)
		}
	})
}
