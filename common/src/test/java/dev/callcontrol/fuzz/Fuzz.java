package dev.callcontrol.fuzz;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.testing.ApiEvents;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What the fuzz targets share: SID-shaped values, events, a strict XML parser and XML shape checks. */
final class Fuzz {
    static final String[] CONTENT_TYPES = {
            "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
            "Application/X-WWW-Form-Urlencoded", "application/json", "application/json; charset=UTF-8",
            "text/plain", "text/xml", "", " application/json ", ";", "multipart/form-data; boundary=x"};

    private static final DocumentBuilderFactory XML = DocumentBuilderFactory.newInstance();

    static {
        try {
            // No DOCTYPE at all: a document the product builds never has one, so none can sneak in.
            XML.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            XML.setFeature("http://xml.org/sax/features/external-general-entities", false);
            XML.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            XML.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            XML.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            XML.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            XML.setXIncludeAware(false);
            XML.setExpandEntityReferences(false);
            XML.setNamespaceAware(false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Fuzz() {
    }

    /** A SID of the given prefix (two letters and 32 hex digits) made from the input. */
    static String sid(FuzzedDataProvider data, String prefix) {
        StringBuilder sid = new StringBuilder(prefix);
        for (int i = 0; i < 32; i++) {
            sid.append("0123456789abcdefABCDEF".charAt(data.consumeInt(0, 21)));
        }
        return sid.toString();
    }

    /** Mostly a valid SID, sometimes anything: the parsers must take the first and refuse the rest. */
    static String sidOrText(FuzzedDataProvider data, String prefix) {
        return data.consumeInt(0, 3) == 0 ? data.consumeString(40) : sid(data, prefix);
    }

    /** A string, picked from {@code known} or made up, so that the fuzzer reaches the interesting branches. */
    static String oneOf(FuzzedDataProvider data, String[] known, int maxLength) {
        return data.consumeBoolean() ? data.pickValue(known) : data.consumeString(maxLength);
    }

    /** The string as it survives UTF-8: unpaired surrogates become '?', as URLEncoder and Twilio see them. */
    static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /** {@code name=value&...}, URL-encoded as a browser or Twilio would. */
    static String urlEncoded(List<Map.Entry<String, String>> pairs) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> pair : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(URLEncoder.encode(pair.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pair.getValue(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** Up to {@code max} name/value pairs, names often repeated (Twilio's forms repeat some). */
    static List<Map.Entry<String, String>> pairs(FuzzedDataProvider data, String[] knownNames, int max) {
        int count = data.consumeInt(0, max);
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = utf8(oneOf(data, knownNames, 12));
            String value = utf8(data.consumeString(30));
            pairs.add(Map.entry(name, value));
        }
        return pairs;
    }

    static APIGatewayV2HTTPEvent event(String method, String rawPath, String stage, String rawQuery, Map<String, String> headers,
                                       String body, boolean base64) {
        return ApiEvents.event(method, rawPath, stage, rawQuery, headers, body, base64);
    }

    /** An {@link HttpError} is the documented way to refuse input, with one of these statuses; anything else is a finding. */
    static void expectStatus(HttpError error, Integer... allowed) {
        if (!Set.of(allowed).contains(error.status())) {
            throw new AssertionError("unexpected status " + error.status() + " (" + error.getMessage() + "), expected one of " + Set.of(allowed), error);
        }
        if (error.code() == null || error.getMessage() == null || error.getMessage().isBlank()) {
            throw new AssertionError("an HttpError without code or message", error);
        }
    }

    /** Parses the text as a standalone XML document with external entities and DOCTYPEs refused; malformed XML is a finding. */
    static Document xml(String text) {
        try {
            DocumentBuilder builder = XML.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler() {
                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            builder.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("entity " + systemId + " resolved");
            });
            return builder.parse(new InputSource(new StringReader(text)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + text, e);
        }
    }

    /** The child elements of an element, in order; text between them must be absent. */
    static List<Element> children(Element parent) {
        List<Element> elements = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            switch (node.getNodeType()) {
                case Node.ELEMENT_NODE -> elements.add((Element) node);
                case Node.TEXT_NODE -> {
                    if (!node.getNodeValue().isBlank()) {
                        throw new AssertionError("text '" + node.getNodeValue() + "' beside elements in <" + parent.getTagName() + ">");
                    }
                }
                default -> throw new AssertionError("unexpected node " + node + " in <" + parent.getTagName() + ">");
            }
        }
        return elements;
    }

    /** Asserts an element's name and exact attribute set, and returns it. */
    static Element expectElement(Element element, String name, Map<String, String> attributes) {
        if (!element.getTagName().equals(name)) {
            throw new AssertionError("expected <" + name + ">, found <" + element.getTagName() + ">");
        }
        Map<String, String> found = new TreeMap<>();
        NamedNodeMap map = element.getAttributes();
        for (int i = 0; i < map.getLength(); i++) {
            Attr attr = (Attr) map.item(i);
            found.put(attr.getName(), attr.getValue());
        }
        if (!found.equals(new TreeMap<>(attributes))) {
            throw new AssertionError("<" + name + "> has attributes " + found + ", expected " + new TreeMap<>(attributes));
        }
        return element;
    }

    /** The element's only content must be text (or nothing); returns it. */
    static String textOnly(Element element) {
        StringBuilder text = new StringBuilder();
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeType() != Node.TEXT_NODE && node.getNodeType() != Node.CDATA_SECTION_NODE) {
                throw new AssertionError("<" + element.getTagName() + "> contains " + node + ", expected text only");
            }
            text.append(node.getNodeValue());
        }
        return text.toString();
    }

    static void check(boolean property, String message) {
        if (!property) {
            throw new AssertionError(message);
        }
    }

    static void equal(Object expected, Object actual, String what) {
        if (!java.util.Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }
}
