package dev.bertj.plugins.testing;

/** The service interface the test plugins implement (the head SPI plays this role in the product). */
public interface Greeter {
    String greet(String name) throws Exception;
}
