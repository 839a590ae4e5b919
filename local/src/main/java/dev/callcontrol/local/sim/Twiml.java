package dev.callcontrol.local.sim;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TwiML as the simulator reads it: a {@code <Response>} holding verbs, each with its attributes,
 * its text and its nested nouns. Parsing refuses DTDs and external entities, as any server reading
 * documents from the network should.
 */
final class Twiml {
    /** One verb or noun. */
    record Verb(String name, Map<String, String> attributes, String text, List<Verb> children) {
        String attribute(String name, String fallback) {
            String value = attributes.get(name);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        boolean flag(String name, boolean fallback) {
            String value = attributes.get(name);
            return value == null || value.isBlank() ? fallback : value.trim().equalsIgnoreCase("true");
        }

        int integer(String name, int fallback) {
            String value = attributes.get(name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new Invalid("attribute " + name + " of <" + this.name + "> is not a number: " + value);
            }
        }
    }

    /** A document Twilio would refuse (Twilio error 12100, "Document parse failure"). */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private Twiml() {
    }

    /** The verbs of a {@code <Response>} document, in order. */
    static List<Verb> parse(String document) {
        if (document == null || document.isBlank()) {
            throw new Invalid("empty TwiML document");
        }
        Element root;
        try {
            root = builder().parse(new InputSource(new StringReader(document.strip()))).getDocumentElement();
        } catch (Exception e) {
            throw new Invalid("TwiML is not well-formed XML: " + e.getMessage());
        }
        if (!root.getTagName().equals("Response")) {
            throw new Invalid("TwiML's root element must be <Response>, not <" + root.getTagName() + ">");
        }
        return children(root);
    }

    private static List<Verb> children(Element parent) {
        List<Verb> verbs = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element) {
                Map<String, String> attributes = new LinkedHashMap<>();
                for (int i = 0; i < element.getAttributes().getLength(); i++) {
                    Node attribute = element.getAttributes().item(i);
                    attributes.put(attribute.getNodeName(), attribute.getNodeValue());
                }
                verbs.add(new Verb(element.getTagName(), attributes, text(element), children(element)));
            }
        }
        return verbs;
    }

    private static String text(Element element) {
        StringBuilder text = new StringBuilder();
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE) {
                text.append(node.getNodeValue());
            }
        }
        return text.toString().strip();
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        // Parse errors become exceptions, not lines on stderr.
        builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler());
        return builder;
    }
}
