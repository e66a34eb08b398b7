package dev.bertj.core.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The readable text of a raw RFC 822 email (as in the SpamAssassin public corpus): the subject line and the body's
 * text parts. Multipart bodies are walked for {@code text/plain} parts (or {@code text/html} when there is no plain
 * part), quoted-printable and base64 transfer encodings are decoded, HTML is reduced to its text, and whitespace is
 * collapsed. Headers other than the subject are dropped: a classifier should learn from what a reader sees, not from
 * the relay hosts that differ between the corpus's sources.
 */
public final class EmailText {

    private static final Pattern BOUNDARY = Pattern.compile("boundary\\s*=\\s*\"?([^\";]+)\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern CHARSET = Pattern.compile("charset\\s*=\\s*\"?([^\";\\s]+)\"?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern SCRIPT = Pattern.compile("(?is)<(script|style)[^>]*>.*?</\\1\\s*>");
    private static final Pattern ENTITY = Pattern.compile("&(#\\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);");
    private static final int MAX_DEPTH = 8;

    private EmailText() {
    }

    /** Subject and body text of a raw message, whitespace collapsed, at most {@code maxChars} characters. */
    public static String of(byte[] raw, int maxChars) {
        String message = new String(raw, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        Part top = Part.parse(message);
        String subject = top.headers.getOrDefault("subject", "").strip();
        StringBuilder body = new StringBuilder();
        collect(top, body, 0);
        String text = (subject.isEmpty() ? "" : subject + "\n") + body;
        text = text.replaceAll("[\\s\\u00a0]+", " ").strip();
        return text.length() > maxChars ? text.substring(0, maxChars) : text;
    }

    /** Appends the text of a part: its plain-text leaves, or its HTML leaves when it has no plain text. */
    private static void collect(Part part, StringBuilder out, int depth) {
        String type = part.contentType();
        if (type.startsWith("multipart/") && depth < MAX_DEPTH) {
            Matcher m = BOUNDARY.matcher(part.headers.getOrDefault("content-type", ""));
            if (m.find()) {
                java.util.List<Part> children = part.children(m.group(1));
                boolean alternative = type.startsWith("multipart/alternative");
                boolean hasPlain = children.stream().anyMatch(c -> c.contentType().startsWith("text/plain"));
                for (Part c : children) {
                    if (alternative && hasPlain && c.contentType().startsWith("text/html")) {
                        continue; // the same message twice: keep the plain version
                    }
                    collect(c, out, depth + 1);
                }
                return;
            }
        }
        if (type.startsWith("text/plain") || type.isEmpty()) {
            out.append(part.decodedBody()).append('\n');
        } else if (type.startsWith("text/html")) {
            out.append(htmlToText(part.decodedBody())).append('\n');
        }
        // other types (images, attachments) carry no readable text
    }

    static String htmlToText(String html) {
        String s = SCRIPT.matcher(html).replaceAll(" ");
        s = s.replaceAll("(?i)<br\\s*/?>|</p>|</div>|</tr>", "\n");
        s = TAG.matcher(s).replaceAll(" ");
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(entity(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String entity(String e) {
        try {
            if (e.startsWith("#x") || e.startsWith("#X")) {
                return new String(Character.toChars(Integer.parseInt(e.substring(2), 16)));
            }
            if (e.startsWith("#")) {
                return new String(Character.toChars(Integer.parseInt(e.substring(1))));
            }
        } catch (IllegalArgumentException ex) {
            return " ";
        }
        return switch (e.toLowerCase(Locale.ROOT)) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            case "nbsp" -> " ";
            default -> " ";
        };
    }

    /** One MIME entity: unfolded, lower-cased header names and the raw body. */
    private record Part(Map<String, String> headers, String body) {

        static Part parse(String text) {
            int split = text.indexOf("\n\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 2);
            Map<String, String> headers = new LinkedHashMap<>();
            String name = null;
            for (String line : head.split("\n")) {
                if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                    headers.merge(name, " " + line.strip(), String::concat); // folded continuation
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    headers.putIfAbsent(name, line.substring(colon + 1).strip());
                }
            }
            return new Part(headers, body);
        }

        String contentType() {
            return headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT).strip();
        }

        java.util.List<Part> children(String boundary) {
            java.util.List<Part> out = new java.util.ArrayList<>();
            String delimiter = "--" + boundary;
            String[] pieces = body.split(Pattern.quote(delimiter), -1);
            for (int i = 1; i < pieces.length; i++) { // pieces[0] is the preamble
                String p = pieces[i];
                if (p.startsWith("--")) {
                    break; // the closing delimiter
                }
                out.add(parse(p.startsWith("\n") ? p.substring(1) : p));
            }
            return out;
        }

        String decodedBody() {
            String encoding = headers.getOrDefault("content-transfer-encoding", "").strip().toLowerCase(Locale.ROOT);
            Charset charset = charset();
            if (encoding.equals("base64")) {
                try {
                    return new String(Base64.getMimeDecoder().decode(body.strip()), charset);
                } catch (IllegalArgumentException e) {
                    return "";
                }
            }
            if (encoding.equals("quoted-printable")) {
                return quotedPrintable(body, charset);
            }
            return body;
        }

        private Charset charset() {
            Matcher m = CHARSET.matcher(headers.getOrDefault("content-type", ""));
            if (m.find()) {
                try {
                    return Charset.forName(m.group(1));
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.ISO_8859_1;
                }
            }
            return StandardCharsets.ISO_8859_1;
        }
    }

    static String quotedPrintable(String s, Charset charset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i++; // soft line break
            } else if (c == '=' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c & 0xff);
            }
        }
        return new String(out.toByteArray(), charset);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
