/** The router's stateful load sub-topology: per-layer expert load in tumbling windows, balancedness and imbalance alerts. */
package io.moestream.router.load;
