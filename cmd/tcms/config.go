package main

import (
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tcms/tcms/rpc"
	"github.com/tcms/tcms/store"
)

// config is everything the commands read from the environment and flags;
// flags override variables.
type config struct {
	DatabaseURL   string
	Addr          string
	AdminUsername string
	AdminPassword string
	AdminEmail    string
	SecretKey     string
	EncryptionKey []byte // TCMS_ENCRYPTION_KEY decoded; nil: the key stored by initial-setup
	SessionTTL    time.Duration
	EscapeHTML    bool
	Pprof         bool // serve /debug/pprof/ to superusers
	LogLevel      slog.Level
	MaxBodyBytes  int64
	DefaultGroups []string
	Args          []string          // what follows the flags
	Login         store.LoginPolicy // TCMS_LOGIN_*: lockout and throttling
	MaxHashes     int               // TCMS_MAX_PASSWORD_HASHES: concurrent password hashes
	TenantsDomain string            // TCMS_TENANTS_DOMAIN: turns on tenant routing
	SMTP          smtpConfig        // TCMS_SMTP_*: where mail goes; no host: mail is logged
	OIDCIssuers   []string          // TCMS_OIDC_ISSUERS: the https issuers trust policies may name
	OIDCInsecure  []string          // TCMS_OIDC_INSECURE_ISSUERS: issuers allowed over plain http
	Tenant        store.NewTenant   // create-tenant flags; Owner is a username
	InvitationTTL time.Duration     // TCMS_INVITATION_TTL: how long invitation tokens last
	ResetTTL      time.Duration     // TCMS_PASSWORD_RESET_TTL: how long password reset tokens last
	Export        exportFlags       // export-permissions flags
	Limits        limits            // TCMS_STATEMENT_TIMEOUT, TCMS_DB_POOL_*, TCMS_MAX_*, TCMS_REPLY_MEMORY
}

// limits bound what one request may cost (docs/running.md, Limits).
type limits struct {
	StatementTimeout time.Duration // 0: none
	PoolWait         time.Duration
	PoolSize         int // 0: the URL's pool_max_conns, else store.DefaultPoolSize()
	MaxBatch         int
	MaxResponseBytes int
	ReplyMemory      int
	MaxInList        int
	MaxRegexLength   int
}

func loadLimits(getenv func(string) string) (l limits, err error) {
	counts := []struct {
		name string
		def  int
		dst  *int
	}{
		{"TCMS_MAX_BATCH", rpc.DefaultMaxBatch, &l.MaxBatch},
		{"TCMS_MAX_RESPONSE_BYTES", rpc.DefaultMaxResponseBytes, &l.MaxResponseBytes},
		{"TCMS_REPLY_MEMORY", rpc.DefaultReplyMemory, &l.ReplyMemory},
		{"TCMS_MAX_IN_LIST", store.DefaultFilterLimits.MaxIn, &l.MaxInList},
		{"TCMS_MAX_REGEX_LENGTH", store.DefaultFilterLimits.MaxPattern, &l.MaxRegexLength},
	}
	for _, c := range counts {
		v := or(getenv(c.name), strconv.Itoa(c.def))
		if *c.dst, err = strconv.Atoi(v); err != nil || *c.dst <= 0 {
			return l, fmt.Errorf("%s: want a positive whole number, got %q", c.name, v)
		}
	}
	if v := getenv("TCMS_DB_POOL_SIZE"); v != "" {
		if l.PoolSize, err = strconv.Atoi(v); err != nil || l.PoolSize <= 0 {
			return l, fmt.Errorf("TCMS_DB_POOL_SIZE: want a positive whole number, got %q", v)
		}
	}
	v := or(getenv("TCMS_STATEMENT_TIMEOUT"), store.DefaultStatementTimeout.String())
	if l.StatementTimeout, err = time.ParseDuration(v); err != nil || l.StatementTimeout < 0 {
		return l, fmt.Errorf("TCMS_STATEMENT_TIMEOUT: want a duration such as 30s, or 0 for none, got %q", v)
	}
	v = or(getenv("TCMS_DB_POOL_WAIT"), store.DefaultPoolWait.String())
	if l.PoolWait, err = time.ParseDuration(v); err != nil || l.PoolWait <= 0 {
		return l, fmt.Errorf("TCMS_DB_POOL_WAIT: want a positive duration such as 5s, got %q", v)
	}
	return l, nil
}

func loadConfig(command string, args []string, getenv func(string) string) (config, error) {
	c := config{}
	fs := flag.NewFlagSet("tcms "+command, flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", or(getenv("TCMS_ADDR"), "127.0.0.1:8080"), "listen address (TCMS_ADDR)")
	fs.StringVar(&c.AdminUsername, "username", getenv("TCMS_ADMIN_USERNAME"), "superuser name (TCMS_ADMIN_USERNAME)")
	fs.StringVar(&c.AdminPassword, "password", getenv("TCMS_ADMIN_PASSWORD"), "superuser password (TCMS_ADMIN_PASSWORD)")
	fs.StringVar(&c.AdminEmail, "email", getenv("TCMS_ADMIN_EMAIL"), "superuser email (TCMS_ADMIN_EMAIL)")
	c.SecretKey = getenv("TCMS_SECRET_KEY")
	var err error
	if c.EncryptionKey, err = parseEncryptionKey(getenv("TCMS_ENCRYPTION_KEY")); err != nil {
		return c, err
	}
	for _, d := range []struct {
		name, def string
		dst       *time.Duration
	}{{"TCMS_SESSION_TTL", "24h", &c.SessionTTL}, {"TCMS_INVITATION_TTL", rpc.DefaultInvitationTTL.String(), &c.InvitationTTL},
		{"TCMS_PASSWORD_RESET_TTL", rpc.DefaultPasswordResetTTL.String(), &c.ResetTTL}} {
		if *d.dst, err = time.ParseDuration(or(getenv(d.name), d.def)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s: want a positive duration such as 24h, got %q", d.name, getenv(d.name))
		}
	}
	if c.EscapeHTML, err = strconv.ParseBool(or(getenv("TCMS_ESCAPE_HTML"), "false")); err != nil {
		return c, fmt.Errorf("TCMS_ESCAPE_HTML: want true or false, got %q", getenv("TCMS_ESCAPE_HTML"))
	}
	if c.Pprof, err = strconv.ParseBool(or(getenv("TCMS_PPROF"), "false")); err != nil {
		return c, fmt.Errorf("TCMS_PPROF: want true or false, got %q", getenv("TCMS_PPROF"))
	}
	if err = c.LogLevel.UnmarshalText([]byte(or(getenv("TCMS_LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("TCMS_LOG_LEVEL: want debug, info, warn or error, got %q", getenv("TCMS_LOG_LEVEL"))
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(or(getenv("TCMS_MAX_BODY_BYTES"), strconv.Itoa(rpc.DefaultMaxBodyBytes)), 10, 64); err != nil || c.MaxBodyBytes <= 0 {
		return c, fmt.Errorf("TCMS_MAX_BODY_BYTES: want a positive number of bytes, got %q", getenv("TCMS_MAX_BODY_BYTES"))
	}
	c.DefaultGroups = splitList(or(getenv("TCMS_DEFAULT_GROUPS"), "Tester"))
	if c.Login, err = loginPolicy(getenv); err != nil {
		return c, err
	}
	if c.MaxHashes, err = strconv.Atoi(or(getenv("TCMS_MAX_PASSWORD_HASHES"), strconv.Itoa(runtime.GOMAXPROCS(0)))); err != nil || c.MaxHashes <= 0 {
		return c, fmt.Errorf("TCMS_MAX_PASSWORD_HASHES: want a positive number, got %q", getenv("TCMS_MAX_PASSWORD_HASHES"))
	}
	c.TenantsDomain = strings.ToLower(strings.TrimSpace(getenv("TCMS_TENANTS_DOMAIN")))
	c.SMTP = smtpConfig{Host: getenv("TCMS_SMTP_HOST"), Port: or(getenv("TCMS_SMTP_PORT"), "587"),
		Username: getenv("TCMS_SMTP_USERNAME"), Password: getenv("TCMS_SMTP_PASSWORD"), From: getenv("TCMS_SMTP_FROM")}
	if c.OIDCIssuers = splitList(or(getenv("TCMS_OIDC_ISSUERS"), DefaultOIDCIssuers)); len(c.OIDCIssuers) == 0 {
		return c, fmt.Errorf("TCMS_OIDC_ISSUERS: name the https issuers to trust, or * for any, got %q", getenv("TCMS_OIDC_ISSUERS"))
	}
	c.OIDCInsecure = splitList(getenv("TCMS_OIDC_INSECURE_ISSUERS"))
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		return c, fmt.Errorf("TCMS_SMTP_FROM: set the sender address when TCMS_SMTP_HOST is set")
	}
	if c.Limits, err = loadLimits(getenv); err != nil {
		return c, err
	}
	switch command {
	case "create-tenant":
		tenantFlags(fs, &c.Tenant)
	case "export-permissions":
		c.Export.declare(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Args = fs.Args()
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return c, fmt.Errorf("TCMS_SECRET_KEY must be at least 32 characters")
	}
	if command != "docs" && c.DatabaseURL == "" {
		return c, fmt.Errorf("DATABASE_URL is not set (make run sets it for the private cluster; see docs/running.md)")
	}
	return c, nil
}

// loginPolicy reads the TCMS_LOGIN_* settings (docs/running.md).
func loginPolicy(getenv func(string) string) (store.LoginPolicy, error) {
	if getenv("TCMS_LOGIN_RATE") != "" {
		return store.LoginPolicy{}, fmt.Errorf("TCMS_LOGIN_RATE is gone: only failed logins are throttled now, see TCMS_LOGIN_FAILURES_PER_ADDRESS in docs/running.md")
	}
	d := store.DefaultLoginPolicy
	p := store.LoginPolicy{}
	var err error
	for _, n := range []struct {
		name string
		dst  *int
		def  int
	}{{"TCMS_LOGIN_MAX_FAILURES", &p.MaxFailures, d.MaxFailures}, {"TCMS_LOGIN_FAILURES_PER_ADDRESS", &p.PerAddress, d.PerAddress},
		{"TCMS_LOGIN_FAILURES_PER_USER", &p.PerUser, d.PerUser}} {
		if *n.dst, err = strconv.Atoi(or(getenv(n.name), strconv.Itoa(n.def))); err != nil || *n.dst < 0 {
			return p, fmt.Errorf("%s: want a number, 0 for no limit, got %q", n.name, getenv(n.name))
		}
	}
	for _, n := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{{"TCMS_LOGIN_LOCKOUT", &p.Lockout, d.Lockout}, {"TCMS_LOGIN_FAILURE_WINDOW", &p.Window, d.Window}} {
		if *n.dst, err = time.ParseDuration(or(getenv(n.name), n.def.String())); err != nil || *n.dst <= 0 {
			return p, fmt.Errorf("%s: want a positive duration such as 15m, got %q", n.name, getenv(n.name))
		}
	}
	return p, nil
}

// parseEncryptionKey decodes TCMS_ENCRYPTION_KEY: 32 bytes written as 64
// hex digits or in base64 (standard or URL alphabet, padded or not). ""
// gives nil.
func parseEncryptionKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if key, err := hex.DecodeString(v); err == nil && len(key) == store.EncryptionKeySize {
		return key, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(v); err == nil && len(key) == store.EncryptionKeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("TCMS_ENCRYPTION_KEY: want %d bytes as 64 hex digits or base64 (openssl rand -base64 32)", store.EncryptionKeySize)
}

// DefaultOIDCIssuers are the issuers of GitHub Actions and GitLab.com.
const DefaultOIDCIssuers = "https://token.actions.githubusercontent.com,https://gitlab.com"

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// splitList splits a comma-separated list, dropping blanks; "-" is empty.
func splitList(v string) []string {
	out := []string{}
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" && item != "-" {
			out = append(out, item)
		}
	}
	return out
}
