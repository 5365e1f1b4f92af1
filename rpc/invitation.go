package rpc

import (
	"net/http"
	"time"

	"github.com/tcms/tcms/store"
)

// Invitation is the Invitation namespace: the invitations of the tenant
// the call addresses (docs/tenants.md#invitations).
type Invitation struct{ s *Server }

var invitationMethods = []Method{
	{Name: "Invitation.filter", Access: Perms, Perms: []string{"tcms_tenants.view_tenant"}, Returns: "array",
		Doc: `Invitations of the tenant the call addresses matching the query, by id, as {id, email, status ("pending", "accepted", "expired" or "revoked"), invited_by, invited_by__username, created_at, expires_at, accepted_at}; never their tokens. Filterable: those keys.`},
	{Name: "Invitation.resend", Access: Perms, Perms: []string{"tcms_tenants.change_tenant"}, Returns: "struct",
		Doc: "Gives an invitation (by id) of the tenant the call addresses a new token and expiry, ending the old token (a revoked invitation is pending again; an accepted one is refused); notify (default true) mails it. Returns {id, email, token, expires_at}: the token is shown only here. The caller must be able to invite (Tenant.invite)."},
	{Name: "Invitation.revoke", Access: Perms, Perms: []string{"tcms_tenants.change_tenant"}, Returns: "nil",
		Doc: "Revokes an invitation (by id) of the tenant the call addresses: its token is refused from then on. An accepted invitation is refused: take the user out with Tenant.remove_authorized_user."},
}

// Filter answers Invitation.filter.
func (i *Invitation) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.Invitation) (err error) {
	*reply, err = i.s.store.FilterInvitations(r.Context(), args.Query)
	return err
}

// InvitationResendArgs are the parameters of Invitation.resend.
type InvitationResendArgs struct {
	ID     int64 `json:"id"`
	Notify *bool `json:"notify" rpc:"optional"`
}

// Resend answers Invitation.resend.
func (i *Invitation) Resend(r *http.Request, args *InvitationResendArgs, reply *store.Issued) (err error) {
	*reply, err = i.s.store.ResendInvitation(r.Context(), *caller(r), args.ID, time.Now().Add(i.s.cfg.InvitationTTL))
	if err == nil && (args.Notify == nil || *args.Notify) {
		i.s.mailInvitation(r, *reply)
	}
	return err
}

// InvitationIDArgs name one invitation.
type InvitationIDArgs struct {
	ID int64 `json:"id"`
}

// Revoke answers Invitation.revoke.
func (i *Invitation) Revoke(r *http.Request, args *InvitationIDArgs, _ *any) error {
	return i.s.store.RevokeInvitation(r.Context(), args.ID)
}
