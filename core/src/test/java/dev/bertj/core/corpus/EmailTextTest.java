package dev.bertj.core.corpus;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class EmailTextTest {

    private static String text(String raw) {
        return EmailText.of(raw.getBytes(StandardCharsets.ISO_8859_1), 10_000);
    }

    @Test
    void plainMessageKeepsSubjectAndBodyAndDropsOtherHeaders() {
        String raw = "From: a@example.com\nReceived: from relay.example.net\n  by mx (Postfix)\nSubject: Lunch\n\tmeeting\n"
                + "\nSee you   at noon.\nBob\n";
        assertThat(text(raw)).isEqualTo("Lunch meeting See you at noon. Bob");
    }

    @Test
    void multipartAlternativePrefersPlainTextAndDecodesTransferEncodings() {
        String raw = "Subject: =?x?= Offer\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n"
                + "--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "Caf=C3=A9 deals, soft=\nbreak\n"
                + "--XX\nContent-Type: text/html\n\n<p>Caf&eacute; deals</p>\n--XX--\nepilogue\n";
        assertThat(text(raw)).isEqualTo("=?x?= Offer Café deals, softbreak");
    }

    @Test
    void htmlOnlyAndBase64PartsBecomeText() {
        String html = "<html><style>p{color:red}</style><body><p>Win&nbsp;$1,000 &amp; more<br>now</p>"
                + "<script>alert(1)</script></body></html>";
        String raw = "Subject: Prize\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/html\n"
                + "Content-Transfer-Encoding: base64\n\n"
                + java.util.Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.ISO_8859_1))
                + "\n--B\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlh\n--B--\n";
        assertThat(text(raw)).isEqualTo("Prize Win $1,000 & more now");
    }

    @Test
    void brokenInputGivesWhatCanBeReadNeverAnException() {
        assertThat(text("")).isEmpty();
        assertThat(text("no headers at all")).isEmpty();
        assertThat(text("Subject: x\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!")).isEqualTo("x");
        assertThat(text("Subject: x\nContent-Type: multipart/mixed; boundary=Q\n\nno parts")).isEqualTo("x");
        assertThat(EmailText.of("Subject: long\n\n".concat("word ".repeat(100)).getBytes(StandardCharsets.ISO_8859_1), 20))
                .hasSize(20);
    }
}
