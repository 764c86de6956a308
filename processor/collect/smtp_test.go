package collect

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// smtpServer is an in-process SMTP server on 127.0.0.1 (random port) that
// keeps what it receives.
type smtpServer struct {
	Port int
	mu   sync.Mutex
	msgs []gotMail
}

// gotMail is a received message, decoded as a mail client would.
type gotMail struct {
	To      []string // envelope recipients
	Subject string
	Text    string
	Files   map[string][]byte
}

type smtpSession struct {
	srv *smtpServer
	to  []string
}

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *smtpSession) Reset()        { s.to = nil }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decodeMail(b)
	if err != nil {
		return err
	}
	m.To = s.to
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, m)
	s.srv.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ts := &smtpServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: ts}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

// take returns and forgets the messages received so far, by first recipient.
func (s *smtpServer) take() []gotMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.msgs
	s.msgs = nil
	sort.SliceStable(out, func(i, j int) bool { return out[i].To[0] < out[j].To[0] })
	return out
}

func decodeMail(data []byte) (gotMail, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return gotMail{}, err
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return gotMail{}, err
	}
	g := gotMail{Subject: subj, Files: map[string][]byte{}}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return gotMail{}, err
	}
	var body io.Reader = m.Body
	if !strings.HasPrefix(mt, "multipart/") {
		// Wrap the single part so multipart decodes quoted-printable.
		raw, _ := io.ReadAll(m.Body)
		body = strings.NewReader("--b\r\nContent-Transfer-Encoding: " + m.Header.Get("Content-Transfer-Encoding") + "\r\n\r\n" + string(raw) + "\r\n--b--\r\n")
		params = map[string]string{"boundary": "b"}
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return gotMail{}, err
		}
		raw, _ := io.ReadAll(part)
		if name := part.FileName(); name != "" {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
			if err != nil {
				return gotMail{}, err
			}
			g.Files[name] = b
			continue
		}
		g.Text += strings.ReplaceAll(string(raw), "\r\n", "\n")
	}
	return g, nil
}
