"""The test SMTP server takes a message sent through Django's SMTP backend and parses it back."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from tests.smtp import SmtpServer


def test_a_message_sent_over_smtp_is_read_back(smtp_server: SmtpServer) -> None:
    message = EmailMultiAlternatives(
        "Hello",
        "plain body",
        "from@example.test",
        ["to@example.test"],
        headers={"List-Unsubscribe": "<https://x.test/u>"},
    )
    message.attach_alternative("<p>html body</p>", "text/html")
    assert message.send() == 1

    (received,) = smtp_server.to("to@example.test")
    assert received.subject == "Hello"
    assert received.message["List-Unsubscribe"] == "<https://x.test/u>"
    assert received.part("text/plain").strip() == "plain body"
    assert "<p>html body</p>" in received.part("text/html")
