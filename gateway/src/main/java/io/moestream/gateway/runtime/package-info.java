/** CDI wiring: builds the plain gateway classes from the configuration and starts and stops them with the application. */
package io.moestream.gateway.runtime;
