package rpc

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

// Tenant is the Tenant namespace: organisations, each served from its own
// schema (docs/tenants.md).
type Tenant struct{ s *Server }

var tenantMethods = []Method{
	{Name: "Tenant.create", Access: Perms, Perms: []string{"tcms_tenants.add_tenant"}, Returns: "struct",
		Doc: "Creates a tenant from {schema_name (lower-case letters, digits, underscores; not public or pg_*), name, organization, publicly_readable, paid_until, owner (superusers only; else the caller)} at the public address, with its schema, its Administrator and Tester groups (the owner joins both); returns it as Tenant.filter does."},
	{Name: "Tenant.filter", Access: Login, Returns: "array",
		Doc: "Tenants matching the query that the caller is authorised for (a superuser: all) as {id, schema_name, name, organization, owner, owner__username, publicly_readable, paid_until, created_on}, by id. Filterable: those keys and authorized_users."},
	{Name: "Tenant.add_authorized_user", Access: Perms, Perms: []string{"tcms_tenants.change_tenant"}, Returns: "nil",
		Doc: "Authorises a user (id or username) for the tenant the call addresses; the user joins its groups named in DEFAULT_GROUPS, whose every label the caller must hold there."},
	{Name: "Tenant.remove_authorized_user", Access: Perms, Perms: []string{"tcms_tenants.change_tenant"}, Returns: "nil",
		Doc: "Takes a user's (id or username) authorisation for the tenant the call addresses, with its tenant group memberships; the owner stays."},
	{Name: "Tenant.invite", Access: Perms, Perms: []string{"tcms_tenants.change_tenant"}, Returns: "struct",
		Doc: "Invites email addresses to the tenant the call addresses: unknown ones get an account without a password, all are authorised; notify (default true) mails them (SMTP, else the log). Returns {success: [addresses], errored: [addresses]}."},
	{Name: "Tenant.remove", Access: Perms, Perms: []string{"tcms_tenants.delete_tenant"}, Returns: "nil",
		Doc: "Superusers only: deletes a tenant by schema_name and drops its schema with all its data."},
}

// Create answers Tenant.create.
func (t *Tenant) Create(r *http.Request, args *ValuesArgs, reply *store.Tenant) error {
	if tenantOf(r.Context()) != nil {
		return store.Errorf(store.Invalid, "Tenant.create works at the public address only.")
	}
	who := stateOf(r).who
	f := newForm(args.Values)
	n := store.NewTenant{SchemaName: f.text("schema_name", true, 63), Name: f.text("name", true, 100),
		Organization: f.text("organization", false, 100), PubliclyReadable: f.boolean("publicly_readable", false),
		PaidUntil: f.dateTime("paid_until"), Owner: who.UserID}
	if err := f.err(); err != nil {
		return err
	}
	if f.has("owner") {
		if !who.IsSuperuser {
			return store.Errorf(store.Forbidden, "owner: only a superuser names a tenant's owner; the caller owns the tenants it creates.")
		}
		owner, err := refs("owner", args.Values["owner"])
		if err != nil || len(owner) != 1 {
			return store.Errorf(store.Invalid, "owner: Expected a user id or username.")
		}
		n.Owner = owner[0]
	}
	var err error
	*reply, err = t.s.store.CreateTenant(r.Context(), n)
	return err
}

// Filter answers Tenant.filter.
func (t *Tenant) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.Tenant) (err error) {
	*reply, err = t.s.store.FilterTenants(r.Context(), *stateOf(r).who, args.Query)
	return err
}

// TenantUserArgs are the parameters of Tenant.add_authorized_user and
// Tenant.remove_authorized_user.
type TenantUserArgs struct {
	User any `json:"user"`
}

// AddAuthorizedUser answers Tenant.add_authorized_user.
func (t *Tenant) AddAuthorizedUser(r *http.Request, args *TenantUserArgs, _ *any) error {
	return t.setUsers(r, args, true)
}

// RemoveAuthorizedUser answers Tenant.remove_authorized_user.
func (t *Tenant) RemoveAuthorizedUser(r *http.Request, args *TenantUserArgs, _ *any) error {
	return t.setUsers(r, args, false)
}

func (t *Tenant) setUsers(r *http.Request, args *TenantUserArgs, add bool) error {
	users, err := refs("user", args.User)
	if err != nil {
		return err
	}
	return t.s.store.SetTenantUsers(r.Context(), *stateOf(r).who, users, add)
}

// InvitationTTL is how long a Tenant.invite invitation lasts.
const InvitationTTL = 7 * 24 * time.Hour

// TenantInviteArgs are the parameters of Tenant.invite.
type TenantInviteArgs struct {
	Emails []string `json:"email_addresses"`
	Notify *bool    `json:"notify" rpc:"optional"`
}

// InviteResult is what Tenant.invite returns.
type InviteResult struct {
	Success []string `json:"success"`
	Errored []string `json:"errored"`
}

// Invite answers Tenant.invite.
func (t *Tenant) Invite(r *http.Request, args *TenantInviteArgs, reply *InviteResult) error {
	ctx := r.Context()
	invited, errored, err := t.s.store.InviteToTenant(ctx, *stateOf(r).who, args.Emails, time.Now().Add(InvitationTTL))
	if err != nil {
		return err
	}
	*reply = InviteResult{Success: []string{}, Errored: append([]string{}, errored...)}
	for _, inv := range invited {
		reply.Success = append(reply.Success, inv.Email)
		if args.Notify == nil || *args.Notify {
			t.s.mail(ctx, inv.Email, invitation(r, tenantOf(ctx), inv))
		}
	}
	return nil
}

// invitation is the text of an invitation mail.
func invitation(r *http.Request, tn *store.Tenant, inv store.Invited) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: Invitation to %s\r\n\r\n", tn.Name)
	fmt.Fprintf(&b, "You have been invited to the test management tenant %q at %s (XML-RPC: /xml-rpc/, JSON-RPC: /json-rpc/).\r\n", tn.Name, r.Host)
	if inv.Created {
		fmt.Fprintf(&b, "An account named %s was created for you without a password; ask an administrator to set one.\r\n", inv.Email)
	}
	fmt.Fprintf(&b, "The invitation expires on %s.\r\n", time.Now().Add(InvitationTTL).UTC().Format(time.DateOnly))
	return b.String()
}

// mail sends a message through Config.SendMail, or logs it when no SMTP
// server is configured. A failure is logged: the caller's change stands.
func (s *Server) mail(ctx context.Context, to, msg string) {
	if s.cfg.SendMail == nil {
		s.log.InfoContext(ctx, "mail not sent: no SMTP server configured", "to", to, "message", msg)
		return
	}
	if err := s.cfg.SendMail(to, msg); err != nil {
		s.log.ErrorContext(ctx, "mail failed", "to", to, "err", err)
	}
}

// TenantRemoveArgs are the parameters of Tenant.remove.
type TenantRemoveArgs struct {
	SchemaName string `json:"schema_name"`
}

// Remove answers Tenant.remove.
func (t *Tenant) Remove(r *http.Request, args *TenantRemoveArgs, _ *any) error {
	if !stateOf(r).who.IsSuperuser {
		return authFailed("Tenant.remove", "superuser required")
	}
	return t.s.store.RemoveTenant(r.Context(), args.SchemaName)
}
