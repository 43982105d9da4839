/** The services' configuration keys that code outside a service writes: one declaration, checked against each service. */
package io.moestream.core.config;
