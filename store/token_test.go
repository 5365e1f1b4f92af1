package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func MustCreateToken(t *testing.T, st *store.Store, userID int64, name string) (store.Token, string) {
	t.Helper()
	tok, text, err := st.CreateToken(t.Context(), store.Principal{UserID: userID}, nil, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok, text
}

func TestToken(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice")
	bob := MustCreateUser(t, st, "bob")

	t.Run("OK", func(t *testing.T) {
		exp := time.Now().Add(24 * time.Hour).Truncate(time.Microsecond)
		tok, text, err := st.CreateToken(ctx, store.Principal{UserID: alice.ID}, nil, "ci", &exp)
		if err != nil {
			t.Fatal(err)
		}
		if !store.IsToken(text) || !strings.HasPrefix(text, "tcms_") || len(text) != 69 {
			t.Fatalf("token text %q", text)
		}
		if tok.Name != "ci" || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(exp) || tok.CreatedAt.IsZero() {
			t.Errorf("got %+v", tok)
		}
		var hashed int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))", text).Scan(&hashed); err != nil || hashed != 1 {
			t.Errorf("want the token stored as its SHA-256: %d %v", hashed, err)
		}
		for range 2 {
			p, err := st.TokenPrincipal(ctx, text)
			if err != nil {
				t.Fatal(err)
			}
			if p != (store.Principal{UserID: alice.ID, Username: "alice"}) {
				t.Errorf("got %+v", p)
			}
		}
		p, err := st.BasicPrincipal(ctx, "alice", text)
		if err != nil || p.UserID != alice.ID {
			t.Fatalf("token as Basic password: %+v %v", p, err)
		}
		if p, ok := st.CachedBasicPrincipal("alice", text); !ok || p.UserID != alice.ID {
			t.Errorf("token as Basic password not cached: %+v", p)
		}
		list, err := st.Tokens(ctx, store.Principal{UserID: alice.ID}, nil)
		if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsedAt == nil {
			t.Fatalf("Tokens: %+v %v", list, err)
		}
		if list, _ := st.Tokens(ctx, store.Principal{UserID: bob.ID}, nil); len(list) != 0 {
			t.Errorf("bob sees %+v", list)
		}
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		MustCreateToken(t, st, alice.ID, "dup")
		_, _, err := st.CreateToken(ctx, store.Principal{UserID: alice.ID}, nil, "dup", nil)
		wantError(t, err, store.Conflict, "Token with this Name already exists.")
		MustCreateToken(t, st, bob.ID, "dup") // names are per user
	})
	t.Run("ErrName", func(t *testing.T) {
		_, _, err := st.CreateToken(ctx, store.Principal{UserID: alice.ID}, nil, " ", nil)
		wantError(t, err, store.Invalid, "name: This field is required.")
		_, _, err = st.CreateToken(ctx, store.Principal{UserID: alice.ID}, nil, strings.Repeat("é", 101), nil)
		wantError(t, err, store.Invalid, "name: Ensure this value has at most 100 characters (it has 101).")
		MustCreateToken(t, st, alice.ID, strings.Repeat("é", 100))
	})
	t.Run("ErrWrongBasicUser", func(t *testing.T) {
		_, text := MustCreateToken(t, st, alice.ID, "basic")
		_, err := st.BasicPrincipal(ctx, "bob", text)
		wantError(t, err, store.Invalid, "Wrong username or password")
		if _, ok := st.CachedBasicPrincipal("bob", text); ok {
			t.Error("cached for the wrong user")
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		past := time.Now().Add(-time.Second)
		_, text, err := st.CreateToken(ctx, store.Principal{UserID: alice.ID}, nil, "old", &past)
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.TokenPrincipal(ctx, text)
		wantError(t, err, store.Unauthenticated, "invalid token")
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := st.TokenPrincipal(ctx, "tcms_"+strings.Repeat("0", 64))
		wantError(t, err, store.Unauthenticated, "invalid token")
		_, err = st.TokenPrincipal(ctx, "tcms_short")
		wantError(t, err, store.Unauthenticated, "invalid token")
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		tok, text := MustCreateToken(t, st, alice.ID, "revoke me")
		if _, err := st.TokenPrincipal(ctx, text); err != nil {
			t.Fatal(err)
		}
		wantError(t, st.RevokeToken(ctx, store.Principal{UserID: bob.ID}, nil, tok.ID), store.NotFound, "Token matching query does not exist.")
		if err := st.RevokeToken(ctx, store.Principal{UserID: alice.ID}, nil, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := st.TokenPrincipal(ctx, text)
		wantError(t, err, store.Unauthenticated, "invalid token")
		wantError(t, st.RevokeToken(ctx, store.Principal{UserID: alice.ID}, nil, tok.ID), store.NotFound, "Token matching query does not exist.")
	})
}

// TestTokenAcrossProcesses checks that revocation and deactivation in one
// process reach another that caches the token.
func TestTokenAcrossProcesses(t *testing.T) {
	t.Parallel()
	a, conn, u := MustOpen(t)
	b := MustOpenAnother(t, u)
	ctx := t.Context()
	alice := MustCreateUser(t, a, "alice")
	tok, text := MustCreateToken(t, a, alice.ID, "ci")
	if _, err := b.TokenPrincipal(ctx, text); err != nil {
		t.Fatal(err)
	}

	t.Run("CachedInMemory", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "UPDATE api_tokens SET expires_at = now() WHERE id = $1", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.TokenPrincipal(ctx, text); err != nil {
			t.Fatalf("not answered from memory: %v", err)
		}
		if _, err := conn.Exec(ctx, "UPDATE api_tokens SET expires_at = NULL WHERE id = $1", tok.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrRevokedElsewhere", func(t *testing.T) {
		if err := a.RevokeToken(ctx, store.Principal{UserID: alice.ID}, nil, tok.ID); err != nil {
			t.Fatal(err)
		}
		eventually(t, "token revoked in A refused by B", func() bool {
			_, err := b.TokenPrincipal(ctx, text)
			return store.ErrorKind(err) == store.Unauthenticated
		})
	})
	t.Run("ErrDeactivatedElsewhere", func(t *testing.T) {
		_, text := MustCreateToken(t, a, alice.ID, "ci2")
		if _, err := b.TokenPrincipal(ctx, text); err != nil {
			t.Fatal(err)
		}
		if _, err := b.BasicPrincipal(ctx, "alice", text); err != nil {
			t.Fatal(err)
		}
		if err := storetest.SetActive(ctx, a, alice.ID, false); err != nil {
			t.Fatal(err)
		}
		eventually(t, "token of a user deactivated in A refused by B", func() bool {
			_, errT := b.TokenPrincipal(ctx, text)
			_, errB := b.BasicPrincipal(ctx, "alice", text)
			return errT != nil && errB != nil
		})
		if err := storetest.SetActive(ctx, a, alice.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := b.TokenPrincipal(ctx, text); err != nil {
			t.Fatalf("token of a reactivated user: %v", err)
		}
	})
}
