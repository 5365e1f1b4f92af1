package rpc

import "context"

// mail sends a message through Config.SendMail. Without an SMTP server
// the message is logged when logged is true (a password reset, which has
// no other way out), else only that it was not sent (an invitation, whose
// token the inviter got). A failure is logged: the caller's change stands.
func (s *Server) mail(ctx context.Context, to, msg string, logged bool) {
	switch {
	case s.cfg.SendMail == nil && logged:
		s.log.InfoContext(ctx, "mail not sent: no SMTP server configured", "to", to, "message", msg)
	case s.cfg.SendMail == nil:
		s.log.InfoContext(ctx, "mail not sent: no SMTP server configured", "to", to)
	default:
		if err := s.cfg.SendMail(to, msg); err != nil {
			s.log.ErrorContext(ctx, "mail failed", "to", to, "err", err)
		}
	}
}
