package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func ptr(s string) *string { return &s }

func TestBugTrackerSeed(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	got, err := st.FilterBugTrackers(t.Context(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Bugzilla", "JIRA"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, b := range got {
		if b.ID != int64(i+1) || b.Name != want[i] || b.TrackerType != "tcms.issuetracker.types.IssueTrackerType" ||
			b.BaseURL != nil || b.APIURL != nil || b.APIUsername != nil {
			t.Errorf("row %d: %+v", i, b)
		}
	}
	user, password, err := st.BugTrackerCredentials(t.Context(), 1)
	if err != nil || user != "" || password != "" {
		t.Errorf("seeded credentials %q %q %v", user, password, err)
	}
}

func TestBugTrackerCredentials(t *testing.T) {
	t.Parallel()
	st, conn, u := MustOpen(t)
	ctx := t.Context()
	const secret = "hunter2-Ω-plaintext"
	bt, err := st.CreateBugTracker(ctx, store.NewBugTracker{Name: "Gitea", TrackerType: "tcms.issuetracker.types.Gitea",
		BaseURL: ptr("https://gitea.example.com"), APIUsername: ptr("bot"), APIPassword: ptr(secret)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		user, password, err := st.BugTrackerCredentials(ctx, bt.ID)
		if err != nil || user != "bot" || password != secret {
			t.Fatalf("got %q %q %v", user, password, err)
		}
		var key []byte
		if err := conn.QueryRow(ctx, "SELECT value FROM settings WHERE key = 'encryption_key'").Scan(&key); err != nil || len(key) != 32 {
			t.Fatalf("generated key %x %v", key, err)
		}
		// Another process reads the same stored key.
		if _, password, err := MustOpenAnother(t, u).BugTrackerCredentials(ctx, bt.ID); err != nil || password != secret {
			t.Fatalf("second store: %q %v", password, err)
		}
	})
	t.Run("NotInDump", func(t *testing.T) {
		var sealed []byte
		var row string
		if err := conn.QueryRow(ctx, "SELECT api_password, b::text FROM bug_trackers b WHERE id = $1", bt.ID).Scan(&sealed, &row); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(secret)) || strings.Contains(row, secret) || strings.Contains(row, "hunter2") {
			t.Fatalf("plaintext in the stored row: %s", row)
		}
		if len(sealed) != 12+len(secret)+16 {
			t.Fatalf("want nonce || ciphertext || tag, got %d bytes", len(sealed))
		}
		again, err := st.CreateBugTracker(ctx, store.NewBugTracker{Name: "Gitea 2", TrackerType: "x", APIPassword: ptr(secret)})
		if err != nil {
			t.Fatal(err)
		}
		var other []byte
		if err := conn.QueryRow(ctx, "SELECT api_password FROM bug_trackers WHERE id = $1", again.ID).Scan(&other); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(sealed[:12], other[:12]) || bytes.Equal(sealed, other) {
			t.Fatal("the same password sealed twice gave the same nonce")
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		wrong := MustOpenAnother(t, u)
		if err := wrong.SetEncryptionKey(randomKey()); err != nil {
			t.Fatal(err)
		}
		_, _, err := wrong.BugTrackerCredentials(ctx, bt.ID)
		if !errors.Is(err, store.ErrWrongEncryptionKey) || !strings.Contains(err.Error(), "TCMS_ENCRYPTION_KEY") {
			t.Fatalf("got %v", err)
		}
		if _, err := conn.Exec(ctx, "UPDATE bug_trackers SET api_password = '\\x0102' WHERE name = 'Gitea 2'"); err != nil {
			t.Fatal(err)
		}
		id := MustBugTrackerID(t, st, "Gitea 2")
		if _, _, err := st.BugTrackerCredentials(ctx, id); !errors.Is(err, store.ErrWrongEncryptionKey) {
			t.Fatalf("truncated value: %v", err)
		}
		if err := wrong.SetEncryptionKey([]byte("short")); err == nil {
			t.Fatal("a 5-byte key was accepted")
		}
	})
	t.Run("ConfiguredKey", func(t *testing.T) {
		key := randomKey()
		a, b := MustOpenAnother(t, u), MustOpenAnother(t, u)
		for _, s := range []*store.Store{a, b} {
			if err := s.SetEncryptionKey(key); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := a.CreateBugTracker(ctx, store.NewBugTracker{Name: "Configured", TrackerType: "x", APIPassword: ptr("pw")})
		if err != nil {
			t.Fatal(err)
		}
		if _, pw, err := b.BugTrackerCredentials(ctx, cfg.ID); err != nil || pw != "pw" {
			t.Fatalf("same key: %q %v", pw, err)
		}
		if _, _, err := st.BugTrackerCredentials(ctx, cfg.ID); !errors.Is(err, store.ErrWrongEncryptionKey) {
			t.Fatalf("stored key on a configured-key value: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := st.BugTrackerCredentials(ctx, 999)
		wantError(t, err, store.NotFound, "BugSystem matching query does not exist.")
	})
	t.Run("ErrNotFilterable", func(t *testing.T) {
		_, err := st.FilterBugTrackers(ctx, map[string]any{"api_password__isnull": false})
		if store.ErrorKind(err) != store.Invalid || !strings.HasPrefix(err.Error(), "Cannot resolve keyword 'api_password' into field.") {
			t.Fatalf("got %v", err)
		}
	})
}

func randomKey() []byte {
	key := make([]byte, store.EncryptionKeySize)
	rand.Read(key)
	return key
}

// MustBugTrackerID finds a bug tracker's id by name.
func MustBugTrackerID(t *testing.T, st *store.Store, name string) int64 {
	t.Helper()
	got, err := st.FilterBugTrackers(t.Context(), map[string]any{"name": name})
	if err != nil || len(got) != 1 {
		t.Fatalf("bug tracker %q: %v %v", name, got, err)
	}
	return got[0].ID
}
