package com.example.mail;

import org.apache.camel.main.Main;

/** Starts Camel with this application's routes; application.properties configures them, SIGTERM stops them. */
public final class MailApp {

    private MailApp() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addRoutesBuilder(new InboxRoutes());
        main.run(args);
    }
}
