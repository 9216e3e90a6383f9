using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>One metric point as exported: the instrument, its tags, and how many measurements (or their sum) it holds.</summary>
public sealed record CapturedMetric(string Name, IReadOnlyDictionary<string, string> Tags, double Value);

/// <summary>
/// Everything the service exports through OpenTelemetry, kept in memory: the service's own pipeline (the one OTLP
/// would receive) gets one more exporter per signal. Spans and log records export as they end; metrics on
/// <see cref="CollectMetrics"/>. Log records are pooled by the SDK, so they are kept as text.
/// </summary>
public sealed class TelemetryCapture
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<CapturedMetric> _metrics = new();
    private readonly ConcurrentQueue<string> _logs = new();
    private BaseExportingMetricReader? _reader;

    public IReadOnlyCollection<Activity> Spans => _spans;

    public IReadOnlyCollection<CapturedMetric> Metrics => _metrics;

    public IReadOnlyCollection<string> LogRecords => _logs;

    public void AddTo(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanExporter(_spans))));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddReader(_reader = new BaseExportingMetricReader(new MetricExporter(_metrics))));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(new SimpleLogRecordExportProcessor(new LogExporter(_logs))));
    }

    /// <summary>Exports the current value of every metric point (cumulative) into <see cref="Metrics"/>, replacing earlier ones.</summary>
    public IReadOnlyCollection<CapturedMetric> CollectMetrics()
    {
        var reader = _reader ?? throw new InvalidOperationException("The service has not started.");
        _metrics.Clear();
        Assert.True(reader.Collect(), "the metric reader collected");
        return _metrics;
    }

    /// <summary>Every exported span as the text an exporter would send: names, tags, events, links, status, baggage.</summary>
    public static string Text(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        var text = new List<string> { span.Source.Name, span.DisplayName, span.OperationName, span.StatusDescription ?? "" };
        text.AddRange(span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        text.AddRange(span.Baggage.Select(b => $"{b.Key}={b.Value}"));
        foreach (var e in span.Events)
        {
            text.Add(e.Name);
            text.AddRange(e.Tags.Select(t => $"{t.Key}={t.Value}"));
        }

        text.AddRange(span.Links.SelectMany(l => l.Tags ?? []).Select(t => $"{t.Key}={t.Value}"));
        return string.Join("\n", text);
    }

    private sealed class SpanExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
            {
                spans.Enqueue(span);
            }

            return ExportResult.Success;
        }
    }

    private sealed class MetricExporter(ConcurrentQueue<CapturedMetric> metrics) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                    }

                    metrics.Enqueue(new CapturedMetric(metric.Name, tags, Value(metric.MetricType, point)));
                }
            }

            return ExportResult.Success;
        }

        private static double Value(MetricType type, in MetricPoint point) => type switch
        {
            MetricType.Histogram or MetricType.ExponentialHistogram => point.GetHistogramCount(),
            MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
            MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
            MetricType.LongGauge => point.GetGaugeLastValueLong(),
            MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
            _ => double.NaN,
        };
    }

    private sealed class LogExporter(ConcurrentQueue<string> logs) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var text = new List<string> { record.CategoryName ?? "", record.EventId.Name ?? "", record.Body ?? "", record.FormattedMessage ?? "" };
                text.AddRange((record.Attributes ?? []).Select(a => $"{a.Key}={a.Value}"));
                if (record.Exception is { } exception)
                {
                    text.Add(exception.ToString());
                }

                logs.Enqueue(string.Join("\n", text));
            }

            return ExportResult.Success;
        }
    }
}
