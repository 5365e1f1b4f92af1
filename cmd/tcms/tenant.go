package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"time"

	"github.com/tcms/tcms/store"
)

// smtpConfig is where mail goes (TCMS_SMTP_*).
type smtpConfig struct {
	Host, Port, Username, Password, From string
}

// sender returns the function that mails one message, or nil without a
// host: the server then logs messages instead.
func (c smtpConfig) sender() func(to, msg string) error {
	if c.Host == "" {
		return nil
	}
	var auth smtp.Auth
	if c.Username != "" {
		auth = smtp.PlainAuth("", c.Username, c.Password, c.Host)
	}
	return func(to, msg string) error {
		header := fmt.Sprintf("From: %s\r\nTo: %s\r\nDate: %s\r\n", c.From, to, time.Now().Format(time.RFC1123Z))
		return smtp.SendMail(net.JoinHostPort(c.Host, c.Port), auth, c.From, []string{to}, []byte(header+msg))
	}
}

// tenantFlags declares the flags of create-tenant.
func tenantFlags(fs *flag.FlagSet, n *store.NewTenant) {
	fs.StringVar(&n.SchemaName, "schema", "", "schema name: lower-case letters, digits, underscores")
	fs.StringVar(&n.Name, "name", "", "the tenant's name")
	fs.Func("owner", "username of the owner, who joins the tenant's Administrator group", func(v string) error {
		n.Owner = v
		return nil
	})
	fs.StringVar(&n.Domain, "domain", "", "an extra host name served as this tenant")
	fs.StringVar(&n.Organization, "organization", "", "organisation name")
	fs.BoolVar(&n.PubliclyReadable, "publicly-readable", false, "let anyone call view methods")
}

// createTenant is `tcms create-tenant -schema s -name n -owner u [-domain d]`.
func createTenant(ctx context.Context, cfg config, w io.Writer) error {
	n := cfg.Tenant
	if n.SchemaName == "" || n.Name == "" || n.Owner == nil {
		return fmt.Errorf("usage: tcms create-tenant -schema s -name n -owner username [-domain d] [-organization o] [-publicly-readable]")
	}
	return withStore(ctx, cfg, func(st *store.Store) error {
		start := time.Now()
		t, err := st.CreateTenant(ctx, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created tenant %s (id %d) in %v\n", t.SchemaName, t.ID, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
