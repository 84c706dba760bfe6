"""The KPI dashboard (issue 14): its filters in the URL (filters), the declarative headline and chart specs
(specs), one module per area (callbacks, complaints, work_orders, leads, staff) and the drill-down (drill)."""
