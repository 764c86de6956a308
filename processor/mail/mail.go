// Package mail sends the reminder e-mails: plain UTF-8 text in Vietnamese,
// with attachments, through an SMTP server (go-mail).
// Nothing else leaves the machine.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/vntext"
	gomail "github.com/wneessen/go-mail"
)

// Options name the SMTP server and the sender.
type Options struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS: "starttls" (default), "tls" (implicit, port 465) or "none".
	TLS string
}

// Message is one e-mail.
type Message struct {
	To          []string
	Subject     string
	Text        string // plain text, "\n" line ends
	Attachments []Attachment
}

// Attachment is a file attached to a message.
type Attachment struct {
	Name string
	Data []byte
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// DefaultTimeout bounds the connection and each SMTP command.
const DefaultTimeout = 30 * time.Second

// SMTP sends through an SMTP server; one connection per message (a
// reminder run sends tens of messages, not thousands).
type SMTP struct {
	opt Options
	// Timeout bounds the connection and each SMTP command (go-mail sets it
	// as the connection deadline); DefaultTimeout when 0.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default (system roots, the host as
	// server name); tests use it to trust their own certificate.
	TLSConfig *tls.Config
	// HELO overrides the name sent in EHLO (default: this host's name).
	HELO string
}

// NewSMTP returns a sender for opt, which must name a host and a sender.
func NewSMTP(opt Options) (*SMTP, error) {
	if opt.Host == "" {
		return nil, errors.New("mail: smtp.host is empty")
	}
	if opt.From == "" {
		return nil, errors.New("mail: smtp.from is empty")
	}
	switch opt.TLS {
	case "", "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mail: smtp.tls %q is not starttls, tls or none", opt.TLS)
	}
	if opt.Port < 0 || opt.Port > 65535 {
		return nil, fmt.Errorf("mail: smtp.port %d is not a port", opt.Port)
	}
	return &SMTP{opt: opt}, nil
}

// options maps Options onto go-mail options.
func (s *SMTP) options() []gomail.Option {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	port := s.opt.Port
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	switch s.opt.TLS {
	case "tls":
		if port == 0 {
			port = gomail.DefaultPortSSL
		}
		opts = append(opts, gomail.WithSSL())
	case "none":
		if port == 0 {
			port = gomail.DefaultPort
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default: // "starttls": STARTTLS is required, never silently skipped
		if port == 0 {
			port = gomail.DefaultPortTLS
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithPort(port))
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	}
	if s.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.HELO))
	}
	if s.opt.Username != "" {
		opts = append(opts, gomail.WithUsername(s.opt.Username), gomail.WithPassword(s.opt.Password))
		if s.opt.TLS == "none" {
			// The admin chose an unencrypted server (an office relay):
			// go-mail refuses PLAIN/LOGIN without TLS unless told so.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthCramMD5,
				gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	return opts
}

// Send sends m. Subject and file names are RFC 2047-encoded by go-mail,
// the text is quoted-printable UTF-8.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if len(m.To) == 0 {
		return errors.New("mail: no recipient")
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.opt.From); err != nil {
		return fmt.Errorf("mail: smtp.from %q: %w", s.opt.From, err)
	}
	for _, to := range m.To {
		// One by one, so that the error names the bad address.
		if err := msg.AddTo(strings.TrimSpace(to)); err != nil {
			return fmt.Errorf("mail: recipient %q: %w", to, err)
		}
	}
	// Nothing from a workbook or the config reaches a mail unclean.
	msg.Subject(strings.ReplaceAll(vntext.Clean(m.Subject), "\n", " "))
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, vntext.Clean(m.Text))
	for _, a := range m.Attachments {
		if err := msg.AttachReader(vntext.Clean(a.Name), bytes.NewReader(a.Data), gomail.WithFileContentType(contentType(a.Name))); err != nil {
			return fmt.Errorf("mail: attachment %s: %w", a.Name, err)
		}
	}
	client, err := newClient(s)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s via %s: %w", strings.Join(m.To, ", "), s.opt.Host, err)
	}
	return nil
}

func newClient(s *SMTP) (*gomail.Client, error) {
	return gomail.NewClient(s.opt.Host, s.options()...)
}

// contentType by extension; .xlsx is spelled out because the system MIME
// tables of Windows and minimal Linux images often lack it.
func contentType(name string) gomail.ContentType {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".txt":
		return "text/plain; charset=utf-8"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return gomail.ContentType(t)
		}
	}
	return "application/octet-stream"
}
