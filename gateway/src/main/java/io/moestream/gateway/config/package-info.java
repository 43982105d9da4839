/** The gateway's configuration keys ({@code moe.*}) as a typed Quarkus config mapping. */
package io.moestream.gateway.config;
