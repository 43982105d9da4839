/** The router's configuration keys ({@code moe.*}). */
package io.moestream.router.config;
