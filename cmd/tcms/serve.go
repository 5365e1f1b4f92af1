package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tcms/tcms/rpc"
	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/store"
)

// Version is the Kiwi TCMS API version this server is compatible with.
const Version = "16.2"

// Main is the running server: the store, the RPC handler and the HTTP
// listener. Tests build it on 127.0.0.1:0 and talk to it over HTTP.
type Main struct {
	cfg    config
	Addr   string // the address actually listened on
	store  *store.Store
	server *http.Server
	done   chan error
}

// NewMain returns an unstarted Main.
func NewMain(cfg config) *Main { return &Main{cfg: cfg} }

// Run opens the database, builds the handler and starts listening; it
// returns once the server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: m.cfg.LogLevel}))
	// Anything that logs through the standard library comes out as JSON too.
	slog.SetDefault(log)
	l := m.cfg.Limits
	st, err := store.OpenWith(ctx, m.cfg.DatabaseURL, store.Options{
		PoolSize: l.PoolSize, PoolWait: l.PoolWait, StatementTimeout: l.StatementTimeout, Logger: log,
	})
	if err != nil {
		return err
	}
	store.SetFilterLimits(store.FilterLimits{MaxIn: l.MaxInList, MaxPattern: l.MaxRegexLength})
	m.store = st
	st.SetDefaultGroups(m.cfg.DefaultGroups)
	st.SetLoginPolicy(m.cfg.Login)
	st.SetMaxHashes(m.cfg.MaxHashes)
	if m.cfg.EncryptionKey != nil {
		if err := st.SetEncryptionKey(m.cfg.EncryptionKey); err != nil {
			return err
		}
	}
	secret := []byte(m.cfg.SecretKey)
	if len(secret) == 0 {
		if secret, err = st.ServerSecret(ctx); err != nil {
			return err
		}
	}
	h, err := rpc.New(rpc.Config{
		Store: st, Secret: secret, SessionTTL: m.cfg.SessionTTL, EscapeHTML: m.cfg.EscapeHTML,
		MaxBodyBytes: m.cfg.MaxBodyBytes, Version: Version, Logger: log,
		TenantsDomain: m.cfg.TenantsDomain, SendMail: m.cfg.SMTP.sender(),
		Pprof: m.cfg.Pprof, OIDC: oidc.Config{Issuers: m.cfg.OIDCIssuers, InsecureIssuers: m.cfg.OIDCInsecure},
		InvitationTTL: m.cfg.InvitationTTL, PasswordResetTTL: m.cfg.ResetTTL,
		MaxBatch: l.MaxBatch, MaxResponseBytes: int64(l.MaxResponseBytes), ReplyMemory: int64(l.ReplyMemory),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.cfg.Addr)
	if err != nil {
		return err
	}
	m.Addr = ln.Addr().String()
	m.server = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(ln) }()
	log.Info("serving", "addr", m.Addr, "xml-rpc", "http://"+m.Addr+"/xml-rpc/", "json-rpc", "http://"+m.Addr+"/json-rpc/")
	return nil
}

// Close stops accepting requests, lets running ones finish (up to 10 s)
// and closes the database. Closing twice is harmless.
func (m *Main) Close() error {
	var err error
	if m.server != nil {
		defer func() { m.server = nil }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = m.server.Shutdown(ctx)
		if serveErr := <-m.done; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}
	if m.store != nil {
		m.store.Close()
		m.store = nil
	}
	return err
}
