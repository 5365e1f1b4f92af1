package rpc

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

// Self-service account steps that need no administrator: accepting an
// invitation and resetting a forgotten password (docs/provisioning.md).
// They are anonymous: the token is the credential.

var authLifecycleMethods = []Method{
	{Name: "Auth.accept_invitation", Access: Anonymous, Returns: "struct",
		Doc: "Accepts an invitation with the token Tenant.invite gave: a username that is not taken becomes a new account with this password and the invited address; an existing account is used when the password is its own. The account is authorised for the invitation's tenant, in its DEFAULT_GROUPS; then it logs in as usual. Returns the account as User.get does. Expired, revoked and used tokens are refused; wrong tokens count as failed logins from the address. Pass the parameters by position."},
	{Name: "Auth.request_password_reset", Access: Anonymous, Returns: "nil",
		Doc: "Mails (without SMTP: logs) a one-use password reset token, valid for TCMS_PASSWORD_RESET_TTL, to every active account with this address; answers the same whether or not there is one. Throttled per client address and per address asked about."},
	{Name: "Auth.reset_password", Access: Anonymous, Returns: "nil",
		Doc: "Sets the password of the account a reset token was mailed for, once, ends its sessions and lifts a login lockout. Wrong tokens count as failed logins from the address. Pass the parameters by position."},
}

// AcceptInvitationArgs are the parameters of Auth.accept_invitation.
type AcceptInvitationArgs struct {
	Token    string `json:"token"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// AcceptInvitation answers Auth.accept_invitation.
func (a *Auth) AcceptInvitation(r *http.Request, args *AcceptInvitationArgs, reply *store.User) (err error) {
	*reply, err = a.s.store.AcceptInvitation(r.Context(), args.Token, args.Username, args.Password)
	return err
}

// DefaultPasswordResetTTL is how long a password reset token lasts unless
// Config.PasswordResetTTL says otherwise.
const DefaultPasswordResetTTL = time.Hour

// PasswordResetArgs are the parameters of Auth.request_password_reset.
type PasswordResetArgs struct {
	Email string `json:"email"`
}

// RequestPasswordReset answers Auth.request_password_reset. Only the
// address check and the throttling happen before the reply; the tokens are
// made and mailed after it, so that neither the reply nor its time tells
// whether an account has the address.
func (a *Auth) RequestPasswordReset(r *http.Request, args *PasswordResetArgs, _ *any) error {
	if err := a.s.store.AllowResetRequest(r.Context(), args.Email); err != nil {
		return err
	}
	ctx, host := context.WithoutCancel(r.Context()), r.Host
	a.s.later.Add(1)
	go func() {
		defer a.s.later.Done()
		mails, err := a.s.store.MakeResets(ctx, args.Email, a.s.cfg.PasswordResetTTL)
		if err != nil {
			a.s.log.ErrorContext(ctx, "password reset failed", "err", err)
		}
		for _, m := range mails {
			a.s.mail(ctx, m.Email, resetMail(host, m), true)
		}
	}()
	return nil
}

// resetMail is the text of a password reset mail.
func resetMail(host string, m store.ResetMail) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: Password reset for %s\r\n\r\n", m.Username)
	fmt.Fprintf(&b, "Someone asked to reset the password of the test management account %s at %s.\r\n", m.Username, host)
	fmt.Fprintf(&b, "To set a new one, call Auth.reset_password with this token and the new password:\r\n\r\n    %s\r\n\r\n", m.Token)
	fmt.Fprintf(&b, "The token works once, until %s UTC. If you did not ask, ignore this mail.\r\n", m.ExpiresAt.UTC().Format(time.DateTime))
	return b.String()
}

// ResetPasswordArgs are the parameters of Auth.reset_password.
type ResetPasswordArgs struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// ResetPassword answers Auth.reset_password.
func (a *Auth) ResetPassword(r *http.Request, args *ResetPasswordArgs, _ *any) error {
	return a.s.store.ResetPassword(r.Context(), args.Token, args.NewPassword)
}
