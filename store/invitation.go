package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Invitations (docs/tenants.md#invitations): Tenant.invite records one per
// tenant and address with an acceptance token, shown once to the inviter
// and mailed to the address; Auth.accept_invitation turns the token into
// an authorised account. Until then the invitation is pending; it can be
// renewed (a new token) or revoked, and it expires.

// InvitationPrefix starts every invitation token.
const InvitationPrefix = "tcmsinv_"

// MaxInvitations bounds the addresses of one Tenant.invite call.
const MaxInvitations = 100

// Issued is an invitation with its token, the one time the token is shown.
type Issued struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invitation is an invitation as Invitation.filter shows it, never its
// token.
type Invitation struct {
	ID                int64      `json:"id" db:"id"`
	Email             string     `json:"email" db:"email"`
	Status            string     `json:"status" db:"status"`
	InvitedBy         *int64     `json:"invited_by" db:"invited_by_id"`
	InvitedByUsername *string    `json:"invited_by__username" db:"invited_by_username"`
	CreatedAt         time.Time  `json:"created_at" db:"created_at"`
	ExpiresAt         time.Time  `json:"expires_at" db:"expires_at"`
	AcceptedAt        *time.Time `json:"accepted_at" db:"accepted_at"`
}

// InviteToTenant invites addresses to the context's tenant until expires,
// each with a new token; inviting an address again renews its invitation
// (pending again, the old token dead). Addresses that are not valid are
// returned in errored. Whoever accepts joins the tenant's default groups,
// whose every label by must hold there.
func (s *Store) InviteToTenant(ctx context.Context, by Principal, emails []string, expires time.Time) (issued []Issued, errored []string, err error) {
	if len(emails) > MaxInvitations {
		return nil, nil, Errorf(Invalid, "email_addresses: Ensure this list has at most %d items (it has %d).", MaxInvitations, len(emails))
	}
	held, err := s.held(ctx, by)
	if err != nil {
		return nil, nil, err
	}
	err = s.inTenant(ctx, "Invitation", "Tenant.invite", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		if err := s.mayInvite(ctx, q, held); err != nil {
			return err
		}
		issued, errored = []Issued{}, []string{}
		seen := map[string]bool{}
		for _, e := range emails {
			e = strings.TrimSpace(e)
			switch {
			case !validEmail(e):
				errored = append(errored, e)
				continue
			case seen[strings.ToLower(e)]:
				continue
			}
			seen[strings.ToLower(e)] = true
			text, hash := newSecret(InvitationPrefix)
			row, err := q.InvitationUpsert(ctx, db.InvitationUpsertParams{Email: e, InvitedByID: nonZero(by.UserID),
				TokenHash: hash[:], Now: time.Now(), ExpiresAt: expires})
			if err != nil {
				return err
			}
			log.add(e, map[string]any{"invitation_id": row.ID, "expires_at": row.ExpiresAt})
			issued = append(issued, Issued{ID: row.ID, Email: row.Email, Token: text, ExpiresAt: row.ExpiresAt})
		}
		return nil
	})
	return issued, errored, err
}

// mayInvite refuses an inviter who does not hold every label of the
// groups an invited user joins (nil held: a superuser's).
func (s *Store) mayInvite(ctx context.Context, q *db.Queries, held []string) error {
	groups, err := s.defaultTenantGroups(ctx, q)
	if err != nil {
		return err
	}
	return mayJoinTenant(ctx, q, held, groups)
}

// ResendInvitation gives an invitation of the context's tenant a new token
// and expiry, ending the old token; a revoked invitation is pending again.
// An accepted one is refused. by must be able to invite (InviteToTenant).
func (s *Store) ResendInvitation(ctx context.Context, by Principal, id int64, expires time.Time) (Issued, error) {
	held, err := s.held(ctx, by)
	if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.inTenant(ctx, "Invitation", "Invitation.resend", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		if err := s.mayInvite(ctx, q, held); err != nil {
			return err
		}
		if _, err := lockPending(ctx, q, id); err != nil {
			return err
		}
		text, hash := newSecret(InvitationPrefix)
		row, err := q.InvitationRenew(ctx, db.InvitationRenewParams{ID: id, TokenHash: hash[:], InvitedByID: nonZero(by.UserID), ExpiresAt: expires})
		log.add(row.Email, map[string]any{"invitation_id": id, "expires_at": row.ExpiresAt})
		out = Issued{ID: row.ID, Email: row.Email, Token: text, ExpiresAt: row.ExpiresAt}
		return err
	})
	return out, err
}

// RevokeInvitation ends an invitation of the context's tenant: its token
// is refused from then on. Revoking a revoked invitation changes nothing;
// an accepted one is refused.
func (s *Store) RevokeInvitation(ctx context.Context, id int64) error {
	return s.inTenant(ctx, "Invitation", "Invitation.revoke", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		inv, err := lockPending(ctx, q, id)
		if err != nil || inv.RevokedAt != nil {
			return err
		}
		log.add(inv.Email, map[string]any{"invitation_id": id})
		return q.InvitationRevoke(ctx, db.InvitationRevokeParams{ID: id, Now: time.Now()})
	})
}

// lockPending locks an invitation of the transaction's tenant, refusing
// one already accepted.
func lockPending(ctx context.Context, q *db.Queries, id int64) (db.InvitationLockRow, error) {
	inv, err := q.InvitationLock(ctx, id)
	if err == nil && inv.AcceptedAt != nil {
		err = Errorf(Invalid, "Invitation %d was accepted: take the user out of the tenant with Tenant.remove_authorized_user instead.", id)
	}
	return inv, err
}

// invitationEntity is what Invitation.filter may filter on; status is
// worked out as InvitationFilter does.
var invitationEntity = entity(&Entity{Model: "Invitation", From: "FROM invitations i", Fields: map[string]Field{
	"id": {Expr: "i.id", Kind: IntField}, "email": {Expr: "i.email", Kind: TextField},
	"status": {Expr: "CASE WHEN i.revoked_at IS NOT NULL THEN 'revoked' WHEN i.accepted_at IS NOT NULL THEN 'accepted' " +
		"WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END", Kind: TextField},
	"created_at": {Expr: "i.created_at", Kind: TimeField},
	"expires_at": {Expr: "i.expires_at", Kind: TimeField}, "accepted_at": {Expr: "i.accepted_at", Kind: TimeField},
}, Relations: map[string]Relation{"invited_by": {Expr: "i.invited_by_id", To: "RelatedUser"}}})

// FilterInvitations answers a Kiwi query dict over the invitations of the
// context's tenant, by id, without a transaction.
func (s *Store) FilterInvitations(ctx context.Context, query map[string]any) ([]Invitation, error) {
	if TenantOf(ctx) == "" {
		return nil, errNotInTenant
	}
	return filterRows(ctx, s, invitationEntity, query, (*db.Queries).InvitationFilter,
		func(r db.InvitationFilterRow) Invitation {
			return Invitation{ID: r.ID, Email: r.Email, Status: r.Status, InvitedBy: r.InvitedByID, InvitedByUsername: r.InvitedByUsername,
				CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt}
		})
}

// errBadInvitation answers every invitation token that names no
// invitation, so that a guess learns nothing.
var errBadInvitation = Errorf(Invalid, "Invalid invitation token.")

// AcceptInvitation turns an invitation token into an account authorised
// for the invitation's tenant, in its default groups. A username that is
// not taken gets a new account with the password and the invited address;
// an existing account is authorised when the password is its own (as for
// Auth.login). Tokens that do not authenticate count as failed logins from
// the client address; expired, revoked and used ones are refused.
func (s *Store) AcceptInvitation(ctx context.Context, token, username, password string) (User, error) {
	if strings.TrimSpace(username) == "" || password == "" {
		return User{}, Errorf(Invalid, "username and password are required.")
	}
	refund, err := s.attempt(ctx, "invalid tokens from this address", tokenKeys(ctx))
	if err != nil {
		return User{}, err
	}
	if !isSecret(InvitationPrefix, token) {
		return User{}, errBadInvitation
	}
	hash := tokenHash(token)
	inv, err := s.q.InvitationByToken(ctx, hash[:])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, errBadInvitation
	}
	if err != nil {
		return User{}, translate(err, "Invitation")
	}
	now := time.Now()
	switch {
	case inv.RevokedAt != nil:
		return User{}, Errorf(Invalid, "This invitation was revoked; ask for a new one.")
	case inv.AcceptedAt != nil:
		return User{}, Errorf(Invalid, "This invitation was already accepted; log in instead.")
	case !now.Before(inv.ExpiresAt):
		return User{}, Errorf(Invalid, "This invitation expired on %s; ask for a new one.", inv.ExpiresAt.UTC().Format(time.DateOnly))
	}
	u, err := s.invitee(ctx, username, password, inv.Email)
	if err != nil {
		return User{}, err
	}
	tctx := WithTenant(ctx, inv.SchemaName)
	err = s.changeGrantsTx(tctx, "User", "Auth.accept_invitation", func(_ pgx.Tx, q *db.Queries, log *changeLog) error {
		created := u.ID == 0
		if created {
			row, err := q.UserCreate(ctx, db.UserCreateParams{Username: u.Username, Email: u.Email,
				Password: u.password, IsActive: true})
			if err != nil {
				return err
			}
			u.User = userFromRow(row)
		}
		n, err := q.InvitationAccept(ctx, db.InvitationAcceptParams{ID: inv.ID, TokenHash: hash[:], Now: now, UserID: &u.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return Errorf(Invalid, "This invitation is no longer pending.")
		}
		if err := s.authorize(tctx, q, nil, []int64{u.ID}); err != nil {
			return err
		}
		log.actor = &Principal{UserID: u.ID, Username: u.Username}
		log.add(inv.Email, map[string]any{"invitation_id": inv.ID, "user_id": u.ID, "username": u.Username, "new_account": created})
		return nil
	})
	if err != nil {
		return User{}, err
	}
	refund()
	return u.User, nil
}

// newAccount is the account an invitation goes to: an existing one (ID
// set), or one to create with the hashed password.
type newAccount struct {
	User
	password string
}

// invitee finds the account that accepts an invitation to email: the
// existing account username, if password is its own, or else a new one to
// create, its password hashed (outside any transaction).
func (s *Store) invitee(ctx context.Context, username, password, email string) (newAccount, error) {
	_, err := s.q.UserGetByUsername(ctx, username)
	switch {
	case err == nil:
		u, err := s.Authenticate(ctx, username, password)
		return newAccount{User: u}, err
	case !errors.Is(err, pgx.ErrNoRows):
		return newAccount{}, translate(err, "User")
	case username == RemovedUser:
		return newAccount{}, errReservedUsername
	}
	hash, err := s.hash(ctx, password)
	return newAccount{User: User{Username: username, Email: email, IsActive: true}, password: hash}, err
}

// tokenKeys are the throttling keys of a try at a token from the
// context's client address: the address's failed-login count, which a
// wrong token adds to, and a count of its own.
func tokenKeys(ctx context.Context) [2]string {
	addr := addressOf(ctx)
	return [2]string{"a:" + addr, "t:" + addr}
}
