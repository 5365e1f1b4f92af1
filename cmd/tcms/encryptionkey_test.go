package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/storetest"
)

func TestEncryptionKeyConfig(t *testing.T) {
	key := bytes.Repeat([]byte{0xfe, 0x01}, 16)
	for _, v := range []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key), " " + strings.ToUpper(hex.EncodeToString(key)) + "\n"} {
		cfg, err := loadConfig("serve", nil, env(map[string]string{"DATABASE_URL": "x", "TCMS_ENCRYPTION_KEY": v}))
		if err != nil || !bytes.Equal(cfg.EncryptionKey, key) {
			t.Errorf("%q: got %x %v", v, cfg.EncryptionKey, err)
		}
	}
	for _, v := range []string{"short", hex.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 1))} {
		if _, err := loadConfig("serve", nil, env(map[string]string{"DATABASE_URL": "x", "TCMS_ENCRYPTION_KEY": v})); err == nil ||
			!strings.Contains(err.Error(), "TCMS_ENCRYPTION_KEY: want 32 bytes") || strings.Contains(err.Error(), v) {
			t.Errorf("%q: got %v", v, err)
		}
	}
	if cfg, err := loadConfig("serve", nil, env(map[string]string{"DATABASE_URL": "x"})); err != nil || cfg.EncryptionKey != nil {
		t.Errorf("unset: %x %v", cfg.EncryptionKey, err)
	}
}

// initial-setup stores a generated key only when none is configured.
func TestInitialSetupEncryptionKey(t *testing.T) {
	ctx := t.Context()
	for _, configured := range []bool{true, false} {
		vars := map[string]string{"DATABASE_URL": storetest.URL(t)}
		if configured {
			vars["TCMS_ENCRYPTION_KEY"] = strings.Repeat("ab", 32)
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"initial-setup"}, &out, env(vars)); err != nil {
			t.Fatal(err)
		}
		if stored := hasSetting(ctx, t, vars["DATABASE_URL"]); stored == configured {
			t.Errorf("configured %v: stored key %v", configured, stored)
		}
	}
}

// hasSetting tells whether the database holds a generated encryption key.
func hasSetting(ctx context.Context, t *testing.T, url string) bool {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM settings WHERE key = 'encryption_key' AND length(value) = 32").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}
