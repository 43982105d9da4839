/** The router's live load page: recent windows and open alerts of this replica, pushed to browsers by server-sent events. */
package io.moestream.router.live;
