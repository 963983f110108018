"""Real servers on loopback for the delivery tests and benchmarks: an SMTP server
(aiosmtpd), a Twilio-compatible HTTP API, and a Web Push receiver that decrypts what it
gets and checks the VAPID signature. Each starts on a free port and stops cleanly."""
