package io.moestream.tools.monitoring;

/**
 * Whether the local stack runs Prometheus and Alertmanager beside it, and where Alertmanager sends the alerts.
 *
 * @param enabled      start them ({@code ./moe up --monitoring})
 * @param alertWebhook a URL Alertmanager posts every alert group to (its webhook receiver, resolved alerts too), or
 *                     {@code null}: the alerts are then only shown by Alertmanager's UI and API
 */
public record MonitoringOptions(boolean enabled, String alertWebhook) {
    public static final MonitoringOptions OFF = new MonitoringOptions(false, null);

    public static MonitoringOptions on(String alertWebhook) {
        return new MonitoringOptions(true, alertWebhook);
    }
}
