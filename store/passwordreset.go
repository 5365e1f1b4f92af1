package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Password resets without an administrator (docs/running.md#password-resets):
// Auth.request_password_reset makes a token for every active account with
// an address, for the server to mail; Auth.reset_password uses one once.

// ResetPrefix starts every password reset token.
const ResetPrefix = "tcmsrst_"

// ResetMail is a reset token for the server to mail to an account's
// address.
type ResetMail struct {
	Email, Username, Token string
	ExpiresAt              time.Time
}

// AllowResetRequest refuses a password reset request for an address that
// is not valid, or that is throttled: per client address (as many as
// failed logins) and per address asked about (as many as failed logins
// per username), whether or not an account has it. It is all a caller
// waits for: MakeResets does the rest after the reply, so that the reply
// cannot tell whether the address has an account.
func (s *Store) AllowResetRequest(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if !validEmail(email) {
		return Errorf(Invalid, "email: Enter a valid email address.")
	}
	_, err := s.attempt(ctx, "password reset requests", [2]string{"r:" + addressOf(ctx), "r:" + strings.ToLower(email)})
	return err
}

// MakeResets makes a reset token, valid until ttl from now, for each
// active account with the address (at most ten), replacing earlier ones,
// and returns them to be mailed; an address without accounts gets nothing.
func (s *Store) MakeResets(ctx context.Context, email string, ttl time.Duration) ([]ResetMail, error) {
	email = strings.TrimSpace(email)
	var out []ResetMail
	now := time.Now()
	err := s.change(WithTenant(ctx, ""), "User", "Auth.request_password_reset", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		accounts, err := q.PasswordResetAccounts(ctx, email)
		for _, a := range accounts {
			text, hash := newSecret(ResetPrefix)
			err = q.PasswordResetCreate(ctx, db.PasswordResetCreateParams{UserID: a.ID, TokenHash: hash[:], Now: now, ExpiresAt: now.Add(ttl)})
			if err != nil {
				return err
			}
			log.add(a.Username, map[string]any{"user_id": a.ID, "expires_at": now.Add(ttl)})
			out = append(out, ResetMail{Email: email, Username: a.Username, Token: text, ExpiresAt: now.Add(ttl)})
		}
		return err
	})
	return out, err
}

// errBadReset answers every reset token that names no live reset.
var errBadReset = Errorf(Invalid, "Invalid password reset token; request a new one.")

// ResetPassword sets the password of the account a reset token was made
// for, once: the token is used up, the account's sessions end and a login
// lockout is lifted. Tokens that do not authenticate count as failed
// logins from the client address.
func (s *Store) ResetPassword(ctx context.Context, token, password string) error {
	if password == "" {
		return Errorf(Invalid, "new_password: This field is required.")
	}
	refund, err := s.attempt(ctx, "invalid tokens from this address", tokenKeys(ctx))
	if err != nil {
		return err
	}
	if !isSecret(ResetPrefix, token) {
		return errBadReset
	}
	newHash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	hash := tokenHash(token)
	var id int64
	err = s.change(WithTenant(ctx, ""), "User", "Auth.reset_password", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		r, err := q.PasswordResetUse(ctx, hash[:])
		switch {
		case errors.Is(err, pgx.ErrNoRows) || err == nil && !r.IsActive:
			return errBadReset
		case err != nil:
			return err
		case !time.Now().Before(r.ExpiresAt):
			return Errorf(Invalid, "This password reset token expired; request a new one.")
		}
		id = r.UserID
		if _, err := q.UserUpdate(ctx, db.UserUpdateParams{UserID: id, Password: &newHash, Unlock: true,
			Now: time.Now(), EndSessions: true}); err != nil {
			return err
		}
		log.actor = &Principal{UserID: id, Username: r.Username}
		log.add(r.Username, map[string]any{"user_id": id, "password": "changed"})
		return q.AuthNotify(ctx, userPayload(id))
	})
	if err != nil {
		return err
	}
	s.cache.apply(userPayload(id))
	refund()
	return nil
}
