package rpc

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tcms/tcms/rpc/internal/tenancy"
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
		Doc: "Invites up to 100 email addresses to the tenant the call addresses, each with an acceptance token valid for TCMS_INVITATION_TTL (inviting an address again renews its invitation); whoever accepts with Auth.accept_invitation joins the tenant's DEFAULT_GROUPS, whose every label the caller must hold there. notify (default true) mails each token (without SMTP nothing is sent). Returns {success: [addresses], errored: [addresses], invitations: [{id, email, token, expires_at}]}: the tokens are shown only here."},
	{Name: "Tenant.remove", Access: Perms, Perms: []string{"tcms_tenants.delete_tenant"}, Returns: "nil",
		Doc: "Superusers only: deletes a tenant by schema_name and drops its schema with all its data."},
}

// Create answers Tenant.create.
func (t *Tenant) Create(r *http.Request, args *ValuesArgs, reply *store.Tenant) error {
	if tenancy.Of(r.Context()) != nil {
		return store.Errorf(store.Invalid, "Tenant.create works at the public address only.")
	}
	who := caller(r)
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
	*reply, err = t.s.store.FilterTenants(r.Context(), *caller(r), args.Query)
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
	return t.s.store.SetTenantUsers(r.Context(), *caller(r), users, add)
}

// DefaultInvitationTTL is how long a Tenant.invite token lasts unless
// Config.InvitationTTL says otherwise.
const DefaultInvitationTTL = 7 * 24 * time.Hour

// TenantInviteArgs are the parameters of Tenant.invite.
type TenantInviteArgs struct {
	Emails []string `json:"email_addresses"`
	Notify *bool    `json:"notify" rpc:"optional"`
}

// InviteResult is what Tenant.invite returns.
type InviteResult struct {
	Success     []string       `json:"success"`
	Errored     []string       `json:"errored"`
	Invitations []store.Issued `json:"invitations"`
}

// Invite answers Tenant.invite.
func (t *Tenant) Invite(r *http.Request, args *TenantInviteArgs, reply *InviteResult) error {
	ctx := r.Context()
	issued, errored, err := t.s.store.InviteToTenant(ctx, *caller(r), args.Emails, time.Now().Add(t.s.cfg.InvitationTTL))
	if err != nil {
		return err
	}
	*reply = InviteResult{Success: []string{}, Errored: errored, Invitations: issued}
	for _, inv := range issued {
		reply.Success = append(reply.Success, inv.Email)
		if args.Notify == nil || *args.Notify {
			t.s.mailInvitation(r, inv)
		}
	}
	return nil
}

// mailInvitation mails an invitation's token to its address.
func (s *Server) mailInvitation(r *http.Request, inv store.Issued) {
	tn := tenancy.Of(r.Context())
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: Invitation to %s\r\n\r\n", tn.Name)
	fmt.Fprintf(&b, "You have been invited to the test management tenant %q at %s (XML-RPC: /xml-rpc/, JSON-RPC: /json-rpc/).\r\n", tn.Name, r.Host)
	fmt.Fprintf(&b, "To accept, call Auth.accept_invitation with this token, the username you want (or that of your account) and a password:\r\n\r\n    %s\r\n\r\n", inv.Token)
	fmt.Fprintf(&b, "The invitation expires on %s UTC.\r\n", inv.ExpiresAt.UTC().Format(time.DateTime))
	s.mail(r.Context(), inv.Email, b.String(), false)
}

// TenantRemoveArgs are the parameters of Tenant.remove.
type TenantRemoveArgs struct {
	SchemaName string `json:"schema_name"`
}

// Remove answers Tenant.remove.
func (t *Tenant) Remove(r *http.Request, args *TenantRemoveArgs, _ *any) error {
	if !caller(r).IsSuperuser {
		return authFailed("Tenant.remove", "superuser required")
	}
	return t.s.store.RemoveTenant(r.Context(), args.SchemaName)
}
